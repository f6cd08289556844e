// Internals shared by the two drivers: deadlines, signals, event pumping.
#pragma once

#include <chrono>
#include <csignal>

#include "sys/driver.hpp"

namespace vws::sys::detail {

using Clock = std::chrono::steady_clock;

extern volatile std::sig_atomic_t stop_requested;  // SIGTERM, SIGHUP, SIGINT

// The three deadlines of a connection, from the caller's clock.
class Deadlines {
public:
    Deadlines(const Timeouts& t, Clock::time_point now) : t_(t), start_(now), last_input_(now) {}
    void input(Clock::time_point now) { last_input_ = now; }
    // Notes when the close phase starts (our Close, a fault, or the end).
    void observe(const Connection& c, Clock::time_point now);
    // Milliseconds until the nearest deadline, or -1 for none.
    int wait_ms(const Connection& c, Clock::time_point now) const;
    // Applies expired deadlines: true when the connection must end now with
    // `ending`; an idle timeout only starts the close handshake.
    bool expire(Connection& c, Clock::time_point now, Outcome& out);

private:
    Clock::time_point handshake_deadline() const;
    Timeouts t_;
    Clock::time_point start_, last_input_, close_start_;
    bool closing_ = false;
};

// Hands every pending event to the app.
void pump(Connection& c, App& app);
// A stop signal arrived: start the close handshake once.
void handle_stop(Connection& c, Outcome& out);
// How a finished connection ended, from the core's state.
Ending ending_of(const Connection& c);

} // namespace vws::sys::detail
