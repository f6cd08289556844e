// Internals shared by the driver and the bridge: deadlines, rate limit,
// signals, event pumping.
#pragma once

#include <chrono>
#include <csignal>

#include "sys/driver.hpp"

namespace vws::sys::detail {

using Clock = std::chrono::steady_clock;

extern volatile std::sig_atomic_t stop_requested;  // SIGTERM, SIGHUP, SIGINT
// The socket the driver may be blocked reading (poll_driver.cpp), or -1: a
// stop signal shortens its receive timeout so that read returns at once.
extern volatile std::sig_atomic_t wake_socket;

// The deadlines of a connection (handshake, idle, keepalive, close), from
// the caller's clock.
class Deadlines {
public:
    Deadlines(const Timeouts& t, Clock::time_point now) : t_(t), start_(now), last_input_(now) {}
    void input(Clock::time_point now);
    // Notes when the close phase starts (our Close, a fault, or the end).
    void observe(const Connection& c, Clock::time_point now);
    // Milliseconds until the nearest deadline, or -1 for none.
    int wait_ms(const Connection& c, Clock::time_point now) const;
    // Applies expired deadlines: true when the connection must end now (see
    // out.ending); an idle timeout starts the close handshake, a quiet peer
    // gets a Ping.
    bool expire(Connection& c, Clock::time_point now, Outcome& out);

private:
    Clock::time_point handshake_deadline() const;
    Timeouts t_;
    Clock::time_point start_, last_input_, close_start_, ping_at_;
    bool closing_ = false;
    bool ping_sent_ = false;
    // A plain answer's body: the peer must take some of it every close_ms.
    uint64_t body_left_seen_ = 0;
    Clock::time_point body_progress_;
};

// --max-rate: messages per second from the peer.
class RateLimit {
public:
    explicit RateLimit(unsigned per_second) : per_second_(per_second), tokens_(per_second) {}
    bool allow(Clock::time_point now);

private:
    unsigned per_second_;
    double tokens_;
    Clock::time_point last_ = Clock::now();
};

// False (and the connection failed with 1008) for a message over the rate.
bool admit(Connection& c, const Event& e, RateLimit& rate);
// Hands every pending event to the app, minus messages over the rate.
void pump(Connection& c, App& app, RateLimit& rate);
// A stop signal arrived: start the close handshake once.
void handle_stop(Connection& c, Outcome& out);
// How a finished connection ended, from the core's state.
Ending ending_of(const Connection& c);

} // namespace vws::sys::detail
