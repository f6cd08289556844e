// The server's plain HTTP answers (Policy::plain_http: --static, --devconsole):
// a head queued at once, then a body pulled from a BodySource as the output
// drains, so a file of any size passes through a bounded buffer.
#include <algorithm>

#include "vws/connection.hpp"

namespace vws {

namespace {
// A plain answer's body is pulled this much at a time, when less is queued.
constexpr size_t body_chunk = 64 << 10;
} // namespace

void Connection::respond(int status, std::string_view head, BodySource* body, uint64_t body_size)
{
    if (state_ != State::deciding || !plain_) return;
    if (!out_.append(head.data(), head.size())) return end_without_answer(Fault::no_memory);
    http_status_ = status;
    body_ = body;
    body_left_ = body ? body_size : 0;
    state_ = State::closed;
    pull_body();
}

// Keeps up to two chunks of the body queued: memory stays bounded whatever
// the file's size, and the driver's writes stay large.
void Connection::pull_body()
{
    while (body_left_ > 0 && out_.size() < body_chunk) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(body_left_, body_chunk));
        uint8_t* room = out_.prepare(want);
        const size_t n = room ? body_->read_body(room, want) : 0;
        if (n == 0) {
            // Content-Length was promised: ending the connection early is
            // how the peer learns the body is incomplete (RFC 9112 §8).
            body_left_ = 0;
            fault_ = room ? Fault::server_error : Fault::no_memory;
            state_ = State::failed;
            return;
        }
        out_.commit(n);
        body_left_ -= n;
    }
}

} // namespace vws
