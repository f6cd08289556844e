// The output side of a Connection: frames queued in out_, which the driver
// writes and acknowledges with sent(). out_ only ever holds whole frames in
// the order they were queued, so a partial write simply resumes.
//
// Pongs (RFC 6455 §5.5.3: "an endpoint MAY elect to send a Pong frame for
// only the most recently processed Ping frame"). A Ping that arrives while
// out_ is empty is answered at once. Otherwise its payload is held in
// pong_payload_, replacing the previous held one, and goes into out_ (as a
// whole frame, after the ones queued before it) at the first of:
//   - out_ empties (sent()): the peer gets it as soon as it reads;
//   - we queue any other frame (a message, our Ping, our Close): so the Pong
//     is never later than a Pong-per-Ping queue would have sent it, is never
//     starved by a steady stream of messages, and never follows our Close.
// A Ping flood from a peer that does not read thus costs one held payload
// and at most one Pong frame in out_ (possibly partly written), not a frame
// per Ping. Invariant: a Pong is held only while out_ is not empty.
#include "vws/connection.hpp"

#include <algorithm>
#include <cstring>

namespace vws {

namespace {
// Output buffers grown by a burst are given back once it is over.
constexpr size_t keep_output_buffer = 256 << 10;
} // namespace

void Connection::send_message(Opcode op, const uint8_t* data, size_t size)
{
    if (!can_send()) return;
    ++messages_sent_;
    if (msg_ready_ && role_ == Role::server && out_.empty() && data == msg_.data() && size == msg_.size() &&
        msg_.headroom() >= max_header_size) {
        // The message just assembled goes back out (an echo): put the header
        // in front of it and make it the output, with no copy. (out_ empty:
        // no Pong is held, see above.)
        FrameHeader h;
        h.opcode = op;
        h.payload_len = size;
        uint8_t header[max_header_size];
        msg_.prepend(header, build_frame_header(h, header));
        out_.swap(msg_);
        return;
    }
    queue_or_fail(op, data, size);
}

void Connection::send_text(std::string_view s)
{
    send_message(Opcode::text, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void Connection::send_ping(const uint8_t* data, size_t size)
{
    if (state_ == State::open) queue_or_fail(Opcode::ping, data, std::min<size_t>(size, 125));
}

void Connection::close(uint16_t code, std::string_view reason)
{
    if (state_ == State::open) {
        queue_close(code, reason);
        state_ = State::closing;
    } else if (state_ == State::answering) {
        queue_close(code, reason);
        state_ = State::closed;
    } else if (state_ == State::handshake || state_ == State::deciding) {
        state_ = State::closed;  // no WebSocket yet: nothing to say
    }
}

// §5.5.2: a Ping is answered with a Pong carrying the same payload (len <= 125).
void Connection::answer_ping(const uint8_t* payload, size_t len)
{
    if (out_.empty()) {
        queue_or_fail(Opcode::pong, payload, len);
        return;
    }
    std::memcpy(pong_payload_, payload, len);
    pong_size_ = static_cast<uint8_t>(len);
    pong_held_ = true;
}

bool Connection::queue_held_pong()
{
    if (!pong_held_) return true;
    pong_held_ = false;
    return queue_frame(Opcode::pong, pong_payload_, pong_size_);
}

void Connection::queue_close(uint16_t code, std::string_view reason)
{
    code_sent_ = code;
    // Without memory even for a Close, the connection still ends (the caller
    // moves the state on); the peer sees the TCP close.
    if (code == close_code::no_status) {
        (void)queue_frame(Opcode::close, nullptr, 0);
        return;
    }
    // §5.5: the body fits in 125 bytes; cut the reason on a character boundary.
    uint8_t body[125];
    body[0] = static_cast<uint8_t>(code >> 8);
    body[1] = static_cast<uint8_t>(code);
    size_t n = std::min<size_t>(reason.size(), sizeof body - 2);
    while (n > 0 && n < reason.size() && (static_cast<uint8_t>(reason[n]) & 0xC0) == 0x80) --n;
    if (n) std::memcpy(body + 2, reason.data(), n);
    (void)queue_frame(Opcode::close, body, n + 2);
}

void Connection::queue_or_fail(Opcode op, const uint8_t* data, size_t size)
{
    if (!queue_frame(op, data, size)) failure(Fault::no_memory);
}

// Appends one whole frame to out_, after the held Pong if there is one;
// false when out_ cannot grow to hold it (nothing is queued then).
bool Connection::queue_frame(Opcode op, const uint8_t* data, size_t size)
{
    if (op != Opcode::pong && !queue_held_pong()) return false;
    FrameHeader h;
    h.opcode = op;
    h.payload_len = size;
    h.masked = role_ == Role::client;
    uint8_t* p = out_.prepare(max_header_size + size);
    if (!p) return false;
    if (h.masked) h.mask_key = keys_->next_mask_key();
    const size_t hlen = build_frame_header(h, p);
    if (h.masked)
        copy_masked(p + hlen, data, size, h.mask_key, 0);
    else if (size)
        std::memcpy(p + hlen, data, size);
    out_.commit(hlen + size);
    return true;
}

void Connection::sent(size_t n)
{
    out_.consume(n);
    if (body_left_ > 0) pull_body();
    out_.release_if_over(keep_output_buffer);
    if (out_.empty() && !queue_held_pong()) failure(Fault::no_memory);
}

} // namespace vws
