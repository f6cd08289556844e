// One WebSocket connection as a sans-I/O state machine: bytes in, events out,
// sends queue bytes. See connection.cpp for the theory of operation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "vws/buffer.hpp"
#include "vws/fault.hpp"
#include "vws/frame.hpp"
#include "vws/handshake.hpp"
#include "vws/policy.hpp"
#include "vws/utf8.hpp"

namespace vws {

enum class Role : uint8_t { server, client };

struct Limits {
    HandshakeLimits handshake;
    uint64_t max_frame = 16u << 20;    // payload bytes, inclusive
    uint64_t max_message = 64u << 20;  // assembled payload bytes, inclusive
};

enum class State : uint8_t {
    handshake,  // reading the request (server) or response (client)
    deciding,   // server: request parsed, waiting for accept() or reject()
    open,
    closing,    // we sent a Close, waiting for the peer's
    answering,  // the peer sent a Close first and our reply waits (defer_close_reply):
                // messages may still be sent (§5.5.1 forbids them only after our Close)
    closed,     // close handshake done: flush output, then end the connection
    failed,     // fault or rejection: flush output, then end the connection
};

enum class EventType : uint8_t {
    none,       // nothing more until more input arrives
    request,    // server: a valid upgrade request; call accept() or reject()
    http_request, // server, Policy::plain_http: a request that is no upgrade; respond() or reject()
    upgraded,   // client: the server accepted
    text,
    binary,
    ping,       // answered: the pong is queued, or held (connection_send.cpp)
    pong,
    close,      // the peer's Close; ours (the reply) is already queued
    failed,     // a fault; the answer (close frame or HTTP error) is queued
};

struct Event {
    EventType type = EventType::none;
    // Payload of a message, ping or pong, or the close reason. Valid until the
    // next call to next_event(), input_space() or received().
    const uint8_t* data = nullptr;
    size_t size = 0;
    uint16_t code = 0;     // close: the peer's status code (1005 when none)
    Fault fault = Fault::none;

    std::string_view text() const { return {reinterpret_cast<const char*>(data), size}; }
};

// Where client-role frames get their mask keys (§5.3: unpredictable, per frame).
class MaskKeySource {
public:
    virtual ~MaskKeySource() = default;
    virtual MaskKey next_mask_key() = 0;
};

// Where a plain HTTP answer's body comes from as the peer takes it (the OS
// side reads a file), so a large file never sits in memory whole.
class BodySource {
public:
    virtual ~BodySource() = default;
    // Up to size bytes into buf; 0 when nothing more can be had (an error,
    // or a file that shrank): the connection then ends short of its length.
    virtual size_t read_body(uint8_t* buf, size_t size) = 0;
};

class Connection {
public:
    // Server role: starts in `handshake`, reading a request; `policy` is
    // applied to every valid upgrade request before the program sees it.
    explicit Connection(const Limits& limits, const Policy& policy = {});
    // Client role: queues `req` and reads the response; keys masks every frame.
    Connection(const Limits& limits, ClientRequest req, MaskKeySource& keys);

    // Input: write up to input_space().size() received bytes there, then
    // call received(n). An empty span means: stop reading (state ended).
    std::span<uint8_t> input_space();
    void received(size_t n);
    // Pulls the next event from the received bytes.
    Event next_event();

    // Server handshake decision, after EventType::request. accept() answers
    // with the subprotocol the policy chose (protocol()), or the one given.
    const Request& request() const { return request_; }
    const std::string& protocol() const { return protocol_; }
    void accept();
    void accept(std::string_view protocol);
    void reject(Fault f);
    // Plain HTTP, after EventType::http_request: `head` is the whole answer
    // up to its blank line (or with a small body after it); then body_size
    // bytes from `body` follow, pulled as output drains. The connection is
    // then closed (one request per process).
    void respond(int status, std::string_view head, BodySource* body = nullptr, uint64_t body_size = 0);
    // Body bytes not yet pulled from the BodySource (a driver's deadline
    // counts progress while this shrinks).
    uint64_t body_left() const { return body_left_; }
    // The request was plain HTTP and answered with respond() or reject().
    bool plain_request() const { return plain_; }
    // Client: the server's response, after EventType::upgraded (or a refusal).
    const Response& response() const { return response_; }

    // Sends; ignored unless the connection is open.
    void send_message(Opcode op, const uint8_t* data, size_t size);
    void send_text(std::string_view s);
    void send_ping(const uint8_t* data, size_t size);
    // Starts the close handshake (open -> closing), or answers the peer's
    // Close (answering -> closed). Reason is cut to fit 123 bytes.
    void close(uint16_t code, std::string_view reason = {});
    // The peer's Close is not answered at once but by close(): the program
    // (vws-handler's child) may have more to say first. §5.5.1 asks for the
    // reply "as soon as practical"; the caller bounds how long that is.
    void defer_close_reply() { defer_close_reply_ = true; }
    // Fails the connection for a fault found outside the core (e.g. the program
    // cannot take a binary message): queues the close code, state -> failed.
    void fail(Fault f);

    // Output: bytes to write to the peer, then report how many were written.
    std::span<const uint8_t> output() const { return {out_.data(), out_.size()}; }
    void sent(size_t n);
    size_t output_size() const { return out_.size(); }
    // A Pong is held for the latest Ping until the output empties (RFC 6455
    // §5.5.3: more Pings only replace it). A driver may stop reading a peer
    // that does not read while this is true.
    bool pong_pending() const { return pong_held_; }

    State state() const { return state_; }
    Role role() const { return role_; }
    // Closed or failed: flush output, shut the write side, drain, end.
    bool ended() const { return state_ == State::closed || state_ == State::failed; }
    // Messages can be sent: open, or answering the peer's Close.
    bool can_send() const { return state_ == State::open || state_ == State::answering; }
    // Received bytes are still parsed (the peer's Close ends that).
    bool reading_frames() const { return state_ == State::open || state_ == State::closing; }
    Fault fault() const { return fault_; }
    uint16_t close_code_sent() const { return code_sent_; }
    uint16_t close_code_received() const { return code_received_; }
    // The reason in the peer's Close (UTF-8, at most 123 bytes), for the log.
    const std::string& close_reason_received() const { return reason_received_; }
    // Data messages handed out by next_event() and queued by send_message(),
    // so the log counts them for every program alike.
    uint64_t messages_received() const { return messages_received_; }
    uint64_t messages_sent() const { return messages_sent_; }
    // The peer sent its Close before we sent ours.
    bool peer_closed_first() const { return peer_closed_first_; }
    int http_status() const { return http_status_; }

    // Input buffer size: reads are at most this large.
    static constexpr size_t input_block = 64 * 1024;

private:
    Event parse_head();
    Event parse_frames();
    Event control_frame(uint8_t* payload);
    Event data_chunk();
    Event finish_message();
    Event failure(Fault f);
    void end_without_answer(Fault f);
    Event no_memory_for_message();
    [[nodiscard]] bool queue_frame(Opcode op, const uint8_t* data, size_t size);
    void queue_or_fail(Opcode op, const uint8_t* data, size_t size);
    void queue_close(uint16_t code, std::string_view reason);
    void pull_body();
    void answer_ping(const uint8_t* payload, size_t len);
    [[nodiscard]] bool queue_held_pong();

    Role role_;
    State state_ = State::handshake;
    Limits limits_;
    MaskKeySource* keys_ = nullptr;

    // Received bytes not yet consumed: in_[in_begin_, in_end_).
    std::unique_ptr<uint8_t[]> in_;
    size_t in_cap_ = 0;
    size_t in_begin_ = 0;
    size_t in_end_ = 0;
    size_t head_scanned_ = 0;   // bytes already searched for the blank line

    // The frame being read.
    FrameHeader frame_;
    uint64_t frame_left_ = 0;   // payload bytes not yet received
    size_t mask_phase_ = 0;
    bool in_frame_ = false;

    // The data message being assembled from fragments or partial reads, with
    // room for a frame header in front (see send_message).
    Opcode msg_opcode_ = Opcode::continuation;  // continuation: none under way
    ByteBuffer msg_;
    bool reading_into_msg_ = false;  // input_space() handed out room in msg_
    Fault pending_fault_ = Fault::none;  // found in received(), reported by next_event()
    Utf8Validator utf8_;
    bool msg_ready_ = false;    // msg_ was handed out: clear it on the next call

    ByteBuffer out_;
    // The latest Ping's payload, held for its Pong while out_ is not empty
    // (RFC 6455 §5.5.3; see connection_send.cpp).
    uint8_t pong_payload_[125];
    uint8_t pong_size_ = 0;
    bool pong_held_ = false;

    Policy policy_;
    Request request_;
    std::string protocol_;
    ClientRequest client_request_;
    Response response_;
    Fault fault_ = Fault::none;
    uint16_t code_sent_ = 0;
    uint16_t code_received_ = 0;
    std::string reason_received_;
    uint64_t messages_received_ = 0;
    uint64_t messages_sent_ = 0;
    bool peer_closed_first_ = false;
    bool defer_close_reply_ = false;
    int http_status_ = 0;
    bool plain_ = false;
    BodySource* body_ = nullptr;
    uint64_t body_left_ = 0;
};

} // namespace vws
