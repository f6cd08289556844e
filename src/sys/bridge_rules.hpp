// The bridge's transfer rules: when to read and write each side. The step
// that tries a transfer and the poll set that waits for it both ask these
// same functions, so they cannot disagree: a side we will not read is never
// polled for input, or ppoll returns at once and the loop spins.
#pragma once

#include <cstddef>

#include "sys/driver.hpp"

namespace vws::sys {

// The facts the rules read, gathered from the bridge each time.
struct Flow {
    // The WebSocket peer.
    bool peer_dead = false;       // reset or error, or given up on: nothing more either way
    bool peer_eof = false;        // its input ended; what is queued still goes out
    bool draining = false;        // our last frame is out and our write side shut
    bool frames_wanted = false;   // the core still parses input (before the peer's Close)
    bool can_send = false;        // messages may go out (open, or answering a Close)
    size_t peer_output = 0;       // bytes queued for the peer
    bool output_stalled = false;  // the last send would block: the peer is not reading
    bool pong_pending = false;    // a Pong waits in the output
    // The stream: a child's stdout/stdin, or vws-client's stdin/stdout.
    bool stream_in_open = false;   // not at EOF
    bool stream_out_open = false;  // not closed by us or by the reader
    size_t stream_output = 0;      // bytes owed to the stream
};

// Read the peer: it is not gone, and what it sends has somewhere to go. Our
// own unsent output does not stop us (reading adds at most one Pong and a
// Close: a peer that echoes stops reading while its output is full, and if we
// stopped too, neither side would move again), except that a peer that keeps
// sending Pings while it reads nothing is read no further (RFC 6455 §5.5.3:
// only the latest Ping needs its Pong).
inline bool want_peer_in(const Flow& f)
{
    if (f.peer_dead || f.peer_eof) return false;
    if (f.draining) return true;
    return f.frames_wanted && f.stream_output < output_high_water && !(f.output_stalled && f.pong_pending);
}

inline bool want_peer_out(const Flow& f) { return !f.peer_dead && f.peer_output > 0; }

// Read the stream: its messages can be sent, and the peer is keeping up.
inline bool want_stream_in(const Flow& f)
{
    return f.stream_in_open && !f.peer_dead && !f.peer_eof && f.can_send && f.peer_output < output_high_water;
}

inline bool want_stream_out(const Flow& f) { return f.stream_out_open && f.stream_output > 0; }

// Not reading the peer (backpressure, or its Close is in): still notice when
// it is gone, or a flooding client that vanished would keep us waiting on a
// child that never reads.
inline bool watch_peer_hangup(const Flow& f) { return !f.peer_dead && !f.peer_eof && !want_peer_in(f); }

} // namespace vws::sys
