// Theory of operation
//
// A Connection is the whole protocol for one WebSocket peer, with no I/O: the
// driver writes received bytes into input_space(), calls received(), then pulls
// events with next_event() until it returns none; whatever the protocol wants
// sent (handshake answers, pongs, close replies, messages) collects in
// output(), which the driver writes and acknowledges with sent().
//
// States: handshake -> (server: deciding ->) open -> closing -> closed, or
// open -> answering -> closed when the peer closes first and the program
// answers later (defer_close_reply), or failed from anywhere. A fault queues its answer (an HTTP error before the
// upgrade, a Close frame after it) and moves to failed; the driver then
// flushes, shuts down its write side and drains until EOF or a timeout.
//
// Input is one block (64 KiB). A data frame that is whole in the block and is
// a complete message is unmasked in place and handed out as a view: no copy.
// Anything else (fragments, frames larger than one read) goes to msg_, one
// reused buffer, validated as it arrives so a fault is found at the earliest
// byte: what the block holds is unmasked while copied, and once the block is
// empty the driver reads the rest of a large frame straight into msg_. msg_
// keeps room for a frame header in front, so a server that sends a message
// it just received (an echo) hands the buffer over to the output whole.
// Control frames (at most 125 bytes) are always handled whole from the block.
//
// The output side (sends, the Close, Pongs, sent()) is in connection_send.cpp.
// Running out of memory is a fault like the peer's: no_memory_for_message
// (1009) when a message cannot be held, no_memory (1011) when output cannot.
#include "vws/connection.hpp"

#include <algorithm>
#include <cstring>
#include <new>

namespace vws {

namespace {

// The message buffer, grown by a burst, is given back once it is over.
constexpr size_t keep_message_buffer = 1 << 20;
// Frames with this much left are read straight into msg_, this much a read.
constexpr uint64_t direct_read_min = 16 << 10;
constexpr uint64_t direct_read_max = 1 << 20;

// msg_ never holds more than a header and max_message bytes: it grows to
// exactly that at most, not to the next doubling (nearly twice as much).
size_t message_buffer_limit(uint64_t max_message)
{
    return max_message < SIZE_MAX / 2 ? static_cast<size_t>(max_message) + max_header_size : SIZE_MAX;
}

uint16_t read_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

} // namespace

Connection::Connection(const Limits& limits, const Policy& policy)
    : role_(Role::server), limits_(limits), policy_(policy)
{
    msg_.limit_growth(message_buffer_limit(limits_.max_message));
}

Connection::Connection(const Limits& limits, ClientRequest req, MaskKeySource& keys)
    : role_(Role::client), limits_(limits), keys_(&keys), client_request_(std::move(req))
{
    msg_.limit_growth(message_buffer_limit(limits_.max_message));
    const std::string head = build_request(client_request_);
    if (!out_.append(head.data(), head.size())) end_without_answer(Fault::no_memory);
}

std::span<uint8_t> Connection::input_space()
{
    if (ended()) return {};
    // The rest of a large data frame goes straight into msg_, exactly up to
    // its end, so the next header still lands in the block.
    if (in_frame_ && in_begin_ == in_end_ && frame_left_ >= direct_read_min) {
        // Without the memory for that, read into the block: data_chunk()
        // then finds out, and fails the connection, if msg_ cannot grow at all.
        const size_t n = static_cast<size_t>(std::min<uint64_t>(frame_left_, direct_read_max));
        if (uint8_t* room = msg_.prepare(n)) {
            reading_into_msg_ = true;
            return {room, n};
        }
    }
    if (!in_) {
        const size_t cap = std::max(input_block, limits_.handshake.max_head + 1);
        in_.reset(new (std::nothrow) uint8_t[cap]);
        if (!in_) {
            end_without_answer(Fault::no_memory);
            return {};
        }
        in_cap_ = cap;
    }
    // Move the unconsumed tail (a partial header or control frame, or an
    // incomplete request head) to the front.
    if (in_begin_ > 0) {
        std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
    }
    return {in_.get() + in_end_, in_cap_ - in_end_};
}

void Connection::received(size_t n)
{
    if (!reading_into_msg_) {
        in_end_ += n;
        return;
    }
    reading_into_msg_ = false;
    uint8_t* p = msg_.data() + msg_.size();
    if (frame_.masked) mask_phase_ = apply_mask(p, n, frame_.mask_key, mask_phase_);
    if (msg_opcode_ == Opcode::text && !utf8_.feed(p, n)) pending_fault_ = Fault::bad_utf8;
    msg_.commit(n);
    frame_left_ -= n;
}

Event Connection::next_event()
{
    if (msg_ready_) {
        msg_.clear();
        msg_.release_if_over(keep_message_buffer);
        msg_ready_ = false;
    }
    if (pending_fault_ != Fault::none) {
        const Fault f = pending_fault_;
        pending_fault_ = Fault::none;
        return failure(f);
    }
    switch (state_) {
    case State::handshake: return parse_head();
    case State::open:
    case State::closing: return parse_frames();
    default: return {};
    }
}

Event Connection::parse_head()
{
    const std::string_view avail(reinterpret_cast<const char*>(in_.get() + in_begin_),
                                 in_end_ - in_begin_);
    // Resume the search for the blank line where the last one stopped.
    const size_t from = head_scanned_ > 3 ? head_scanned_ - 3 : 0;
    const size_t blank = avail.find("\r\n\r\n", from);
    const size_t max_head = limits_.handshake.max_head;
    if (blank == std::string_view::npos) {
        if (role_ == Role::server && !plausible_request_start(avail)) return failure(Fault::bad_request_line);
        head_scanned_ = avail.size();
        return avail.size() >= max_head ? failure(Fault::head_too_large) : Event{};
    }
    const std::string_view head = avail.substr(0, blank + 4);
    if (head.size() > max_head) return failure(Fault::head_too_large);

    Fault f;
    if (role_ == Role::server) {
        f = parse_request_head(head, limits_.handshake, request_);
        if (f == Fault::none && request_.method == "GET" && !policy_.health_path.empty() &&
            request_.path == policy_.health_path && !request_.header("Upgrade")) {
            // A plain GET on the health path: a load balancer's check.
            const std::string r = plain_response(200, "ok\n", policy_.headers_http);
            if (!out_.append(r.data(), r.size())) {
                end_without_answer(Fault::no_memory);
                return {};
            }
            http_status_ = 200;
            state_ = State::closed;
            return {};
        }
        if (f == Fault::none && policy_.plain_http && !asks_for_websocket(request_)) {
            // Not a handshake at all (a browser opening the page): the program
            // answers it, under the same Host rule as an upgrade.
            plain_ = true;
            f = check_plain_request(request_);
            if (f == Fault::none && !host_allowed(request_, policy_)) f = Fault::host_not_allowed;
            if (f != Fault::none) return failure(f);
            in_begin_ += head.size();
            state_ = State::deciding;
            return {EventType::http_request};
        }
        if (f == Fault::none) f = check_upgrade(request_);
        if (f == Fault::none) {
            Decision d = decide(request_, policy_);
            f = d.fault;
            protocol_ = std::move(d.protocol);
        }
    } else {
        f = parse_response(head, client_request_, limits_.handshake, response_);
        http_status_ = response_.status;
    }
    if (f != Fault::none) return failure(f);
    in_begin_ += head.size();  // what follows is frames
    if (role_ == Role::server) {
        state_ = State::deciding;
        return {EventType::request};
    }
    state_ = State::open;
    return {EventType::upgraded};
}

void Connection::accept() { accept(protocol_); }

void Connection::accept(std::string_view protocol)
{
    if (state_ != State::deciding || plain_) return;
    protocol_ = std::string(protocol);  // may view protocol_ itself
    const std::string r = accept_response(request_, protocol, policy_.headers_101);
    if (!out_.append(r.data(), r.size())) return end_without_answer(Fault::no_memory);
    http_status_ = 101;
    state_ = State::open;
}

void Connection::reject(Fault f)
{
    if (state_ != State::deciding && state_ != State::handshake) return;
    failure(f);
}

Event Connection::parse_frames()
{
    for (;;) {
        if (!in_frame_) {
            uint8_t* p = in_.get() + in_begin_;
            const size_t avail = in_end_ - in_begin_;
            const HeaderParse hp = parse_frame_header(p, avail, frame_);
            if (hp.status == ParseStatus::need_more) return {};
            if (hp.status == ParseStatus::fail) return failure(hp.fault);
            const size_t hlen = hp.consumed;
            const uint64_t len = frame_.payload_len;

            // §5.2: RSV bits MUST be 0 unless an extension defines them.
            if (frame_.rsv) return failure(Fault::reserved_bits);
            // §5.1: clients mask every frame, servers none.
            if (role_ == Role::server && !frame_.masked) return failure(Fault::unmasked_client_frame);
            if (role_ == Role::client && frame_.masked) return failure(Fault::masked_server_frame);

            if (is_control(frame_.opcode)) {
                // §5.5: control frames MUST NOT be fragmented, payload <= 125.
                if (!frame_.fin) return failure(Fault::fragmented_control);
                if (len > 125) return failure(Fault::control_too_long);
                if (avail < hlen + len) return {};
                in_begin_ += hlen + len;
                if (frame_.masked) apply_mask(p + hlen, len, frame_.mask_key, 0);
                return control_frame(p + hlen);
            }

            // §5.4: continuation only inside a message, data frames only outside.
            const bool under_way = msg_opcode_ != Opcode::continuation;
            if (frame_.opcode == Opcode::continuation && !under_way)
                return failure(Fault::unexpected_continuation);
            if (frame_.opcode != Opcode::continuation && under_way)
                return failure(Fault::expected_continuation);
            if (len > limits_.max_frame) return failure(Fault::frame_too_big);
            if (msg_.size() + len > limits_.max_message) return failure(Fault::message_too_big);

            if (!under_way && frame_.fin && avail - hlen >= len) {
                // A whole message in one frame, all received: hand it out in place.
                uint8_t* payload = p + hlen;
                if (frame_.masked) apply_mask(payload, len, frame_.mask_key, 0);
                if (frame_.opcode == Opcode::text && !valid_utf8(payload, len))
                    return failure(Fault::bad_utf8);
                in_begin_ += hlen + len;
                ++messages_received_;
                const auto type = frame_.opcode == Opcode::text ? EventType::text : EventType::binary;
                return {type, payload, static_cast<size_t>(len)};
            }
            in_begin_ += hlen;
            in_frame_ = true;
            frame_left_ = len;
            mask_phase_ = 0;
            if (!under_way) {
                msg_opcode_ = frame_.opcode;
                if (!msg_.clear_with_headroom(max_header_size)) return no_memory_for_message();
                utf8_.reset();
            }
        }
        if (Event e = data_chunk(); e.type != EventType::none || in_frame_) return e;
    }
}

// Moves the received part of the current data frame into msg_; returns a
// message event when it completes one, a failure, or none.
Event Connection::data_chunk()
{
    const size_t take = static_cast<size_t>(std::min<uint64_t>(frame_left_, in_end_ - in_begin_));
    if (take > 0) {
        const uint8_t* src = in_.get() + in_begin_;
        uint8_t* dst = msg_.prepare(take);
        if (!dst) return no_memory_for_message();
        if (frame_.masked)
            mask_phase_ = copy_masked(dst, src, take, frame_.mask_key, mask_phase_);
        else
            std::memcpy(dst, src, take);
        // §8.1: fail on invalid UTF-8 as soon as it is seen.
        if (msg_opcode_ == Opcode::text && !utf8_.feed(dst, take)) return failure(Fault::bad_utf8);
        msg_.commit(take);
        in_begin_ += take;
        frame_left_ -= take;
    }
    if (frame_left_ > 0) return {};
    in_frame_ = false;
    if (!frame_.fin) return {};
    return finish_message();
}

Event Connection::finish_message()
{
    const Opcode op = msg_opcode_;
    msg_opcode_ = Opcode::continuation;
    // A text message must not end inside a character.
    if (op == Opcode::text && !utf8_.complete()) return failure(Fault::bad_utf8);
    msg_ready_ = true;
    ++messages_received_;
    return {op == Opcode::text ? EventType::text : EventType::binary, msg_.data(), msg_.size()};
}

Event Connection::control_frame(uint8_t* payload)
{
    const size_t len = static_cast<size_t>(frame_.payload_len);
    switch (frame_.opcode) {
    case Opcode::ping:
        // §5.5.2: answer with a Pong carrying the same payload.
        if (state_ == State::open) answer_ping(payload, len);
        return {EventType::ping, payload, len};
    case Opcode::pong: return {EventType::pong, payload, len};
    default: break;
    }
    // §5.5.1 and §7.4: a close body is empty, or a valid code and UTF-8 reason.
    if (len == 1) return failure(Fault::bad_close_payload);
    const uint16_t code = len >= 2 ? read_be16(payload) : close_code::no_status;
    if (len >= 2 && !close_code_allowed_on_wire(code)) return failure(Fault::bad_close_code);
    if (len > 2 && !valid_utf8(payload + 2, len - 2)) return failure(Fault::bad_utf8);
    code_received_ = code;
    if (len > 2) reason_received_.assign(reinterpret_cast<const char*>(payload + 2), len - 2);
    peer_closed_first_ = state_ == State::open;
    // §5.5.1: reply with a Close, echoing the status code (or let the
    // program reply once it has said what it still has to say).
    if (state_ == State::open && defer_close_reply_) {
        state_ = State::answering;
    } else {
        if (state_ == State::open) queue_close(code, {});
        state_ = State::closed;
    }
    Event e{EventType::close, len > 2 ? payload + 2 : payload, len > 2 ? len - 2 : 0};
    e.code = code;
    return e;
}

Event Connection::failure(Fault f)
{
    fault_ = f;
    if (is_handshake_fault(f)) {
        if (role_ == Role::server && state_ != State::failed) {
            const std::string r = error_response(f, policy_.headers_http);
            // Without memory for the answer the connection just ends.
            if (out_.append(r.data(), r.size())) http_status_ = http_status_of(f);
        }
    } else if (can_send()) {
        queue_close(close_code_of(f), fault_name(f));
    }
    state_ = State::failed;
    Event e{EventType::failed};
    e.fault = f;
    return e;
}

// The message being assembled cannot grow: give back what it holds (nobody
// has a view into it yet), so the Close 1009 and the driver have memory.
Event Connection::no_memory_for_message()
{
    msg_.clear();
    msg_.release_if_over(0);
    return failure(Fault::no_memory_for_message);
}

// Out of memory before there is a WebSocket to close: nothing to say.
void Connection::end_without_answer(Fault f)
{
    fault_ = f;
    state_ = State::failed;
}

void Connection::fail(Fault f)
{
    if (!ended()) failure(f);
}

} // namespace vws
