// The driver: moves bytes between the connection and the core, keeps time, and
// hands events to the program. It reaches the descriptors through ConnIo
// (conn_io.hpp): recv/send with MSG_DONTWAIT on sockets (no O_NONBLOCK on a
// shared file description), or the blocking fallback's reader and writer
// threads for pipes and other non-sockets, or on --blocking.
#pragma once

#include <cstdint>

#include "sys/conn_io.hpp"
#include "sys/endpoint.hpp"
#include "vws/connection.hpp"

namespace vws::sys {

struct Timeouts {
    int handshake_ms = 10'000;  // request head complete and answered
    int idle_ms = 0;            // no input for this long: close 1001 (0: off)
    int close_ms = 5'000;       // from our Close (or a fault) to the end
    // Keepalive: after this long without input we send a Ping; nginx drops
    // upgraded connections idle for 60 s, so the default stays below (0: off).
    int ping_interval_ms = 30'000;
    int pong_timeout_ms = 20'000;  // no input this long after our Ping: peer is gone
    unsigned max_rate = 0;         // messages per second from the peer (0: no limit)
};

// The program logic: one call per event, in order.
class App {
public:
    virtual ~App() = default;
    virtual void on_event(Connection& conn, const Event& e) = 0;
};

enum class Ending : uint8_t {
    closed,             // close handshake completed
    failed,             // fault or handshake refusal; the answer was sent
    peer_gone,          // EOF or reset without a close handshake
    handshake_timeout,
    close_timeout,      // the peer never finished the close handshake
    ping_timeout,       // the peer stopped answering pings
    io_error,
};

struct Outcome {
    Ending ending = Ending::closed;
    int error = 0;            // errno, for io_error
    bool idle = false;        // we closed for the idle timeout
    bool signalled = false;   // we closed for SIGTERM/SIGHUP/SIGINT
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
};

const char* ending_name(Ending e);

// Ignores SIGPIPE and routes SIGTERM, SIGHUP and SIGINT to a graceful close
// (1001). Call once from main before driving.
void install_signal_handlers();

Outcome drive(ConnIo& io, Connection& conn, App& app, const Timeouts& t);

// The output backlog above which a driver stops reading (backpressure). Room
// for a few large messages, so reading the next one overlaps sending the last.
inline constexpr size_t output_high_water = 4 << 20;

} // namespace vws::sys
