// The child bridge: one WebSocket connection on one side, a byte stream on
// the other (a child's stdin/stdout for vws-handler), messages framed on the
// stream by line, raw or netstring. One poll loop moves both directions with
// bounded buffers: when one side cannot take more, we stop reading the other.
//
// Endings (with a child): the child exits -> Close 1000 (status 0) or 1011.
// The client closes -> the child's stdin is closed once what it was owed is
// written, what it still writes goes to the client until it exits, and its
// status answers the client's Close. The client vanishes or breaks the
// protocol, or a stop signal comes -> the same, without the messages. The
// child's stdout at EOF while it runs is a half-close: it still gets the
// client's messages. A child that does not finish gets SIGTERM to its process
// group after the kill grace and SIGKILL after another; it is always reaped.
// Without a child (vws-client's stdin/stdout): the input's end -> Close with
// eof_close_code once all is sent and eof_linger_ms has passed; the run ends
// when the WebSocket has ended and everything received is written out.
#pragma once

#include <functional>
#include <string>

#include "sys/bridge_rules.hpp"
#include "sys/child.hpp"
#include "sys/conn_io.hpp"
#include "sys/driver.hpp"
#include "sys/driver_common.hpp"
#include "vws/stream_framing.hpp"

namespace vws::sys {

struct BridgeOptions {
    Framing framing = Framing::line;
    bool netstring_text = false;  // netstring: outgoing messages as text, not binary
    int kill_grace_ms = 1000;
    Timeouts timeouts;
    uint64_t max_message = 64u << 20;
    // Without a child (vws-client): the Close code sent when the stream's input ends.
    uint16_t eof_close_code = close_code::normal;
    // ... sent this long after the input's end (the peer may still answer), or
    // not at all if the peer closes first.
    int eof_linger_ms = 0;
    // Who writes the stream, in the reason of a Close for what it sent wrong.
    const char* stream_name = "child";
};

struct BridgeStats {
    uint64_t messages_in = 0;   // from the WebSocket peer
    uint64_t messages_out = 0;  // to the WebSocket peer
    std::string stream_fault;   // what the stream side did wrong, for the log
};

class Bridge {
public:
    Bridge(ConnIo& io, Connection& conn, const BridgeOptions& opt);

    // Server: called on the request; must accept() or reject(), and may
    // attach a child. Client: not used.
    std::function<void(Connection&, Bridge&)> on_request;
    std::function<void(Connection&)> on_upgraded;
    // Every text or binary message from the peer, before it is framed.
    std::function<void(const Event&)> on_message;

    // The stream side: a child (its pipes), or two descriptors of our own
    // (stdin/stdout of vws-client). Blocking descriptors are only read or
    // written after poll says so, and written at most PIPE_BUF at a time.
    void attach_child(Child& child);
    void attach_stream(int in_fd, int out_fd);

    Outcome run();
    const BridgeStats& stats() const { return stats_; }

private:
    Flow flow() const;
    bool step();
    bool reap_child();
    bool flush_socket();
    bool read_socket();
    bool drain_socket();
    bool write_stream();
    bool read_stream();
    void on_event(const Event& e);
    void deliver(const StreamDecoder::Item& it);
    void stream_fault(const char* what);
    void advance_endings();
    void answer_with_child_status(detail::Clock::time_point now);
    void escalate(detail::Clock::time_point now);
    void begin_child_shutdown();
    bool child_done() const;
    bool finished() const;
    void wait();

    ConnIo& io_;
    Connection& conn_;
    BridgeOptions opt_;
    StreamDecoder decoder_;
    ByteBuffer to_stream_;
    BridgeStats stats_;
    Outcome out_;
    detail::Deadlines deadlines_;
    detail::RateLimit rate_;

    Child* child_ = nullptr;
    int stream_in_ = -1, stream_out_ = -1;
    bool stream_blocking_ = false;
    bool stream_readable_ = false, stream_writable_ = false;  // from the last poll
    bool child_readable_ = false;  // the pidfd polled readable: the child exited
    bool output_stalled_ = false;  // the last send to the peer would block
    bool stream_eof_ = false;
    bool stream_closed_ = false;   // the peer stream's write side we closed
    bool ws_dead_ = false;         // reset, error, or done: nothing more to do there
    bool peer_eof_ = false;        // the peer's input ended: what is queued still goes out
    bool ws_shut_ = false;         // our write side shut after the last frame; draining
    Ending ending_ = Ending::closed;  // how the WebSocket ended, when ws_shut_
    bool child_exit_seen_ = false;
    bool shutdown_started_ = false;
    int escalation_ = 0;           // 0 none, 1 SIGTERM sent, 2 SIGKILL sent
    detail::Clock::time_point shutdown_at_, exit_at_, eof_at_, peer_eof_at_;
    sigset_t wait_mask_;
};

} // namespace vws::sys
