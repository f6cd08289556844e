#include "vws/stream_framing.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace vws {

namespace {
// A netstring header is at most 20 digits and the colon.
constexpr size_t max_netstring_header = 21;
} // namespace

bool parse_framing(std::string_view name, Framing& out)
{
    if (name == "line") out = Framing::line;
    else if (name == "raw") out = Framing::raw;
    else if (name == "netstring") out = Framing::netstring;
    else return false;
    return true;
}

const char* framing_name(Framing f)
{
    switch (f) {
    case Framing::line: return "line";
    case Framing::raw: return "raw";
    case Framing::netstring: return "netstring";
    }
    return "?";
}

bool encode_message(Framing f, const uint8_t* data, size_t size, ByteBuffer& out)
{
    char head[24];
    size_t head_size = 0;
    const char* tail = f == Framing::line ? "\n" : f == Framing::netstring ? "," : "";
    if (f == Framing::netstring)
        head_size = static_cast<size_t>(std::snprintf(head, sizeof head, "%zu:", size));
    const size_t tail_size = std::strlen(tail);
    if (head_size + size + tail_size == 0) return true;  // raw, empty: nothing to add
    // One reservation for the whole frame: it either fits or nothing changes.
    uint8_t* p = out.prepare(head_size + size + tail_size);
    if (!p) return false;
    std::memcpy(p, head, head_size);
    if (size) std::memcpy(p + head_size, data, size);
    std::memcpy(p + head_size + size, tail, tail_size);
    out.commit(head_size + size + tail_size);
    return true;
}

StreamDecoder::StreamDecoder(Framing f, uint64_t max_message) : framing_(f), max_(max_message)
{
    // The buffer holds at most one message of max_ bytes, its framing and
    // what the read that completed it brought: grow to that, no further.
    const uint64_t most = max_ + 2 * read_block;
    buf_.limit_growth(most < SIZE_MAX / 2 ? static_cast<size_t>(most) : SIZE_MAX);
}

std::span<uint8_t> StreamDecoder::input_space()
{
    buf_.consume(pending_consume_);
    pending_consume_ = 0;
    uint8_t* room = buf_.prepare(read_block);
    if (!room) {
        no_memory_ = true;
        fail(Status::no_memory);
        return {};
    }
    return {room, read_block};
}

void StreamDecoder::received(size_t n) { buf_.commit(n); }

StreamDecoder::Item StreamDecoder::fail(Status s)
{
    failed_ = true;
    buf_.clear();
    buf_.release_if_over(0);
    scanned_ = 0;
    return {s};
}

StreamDecoder::Item StreamDecoder::next()
{
    buf_.consume(pending_consume_);
    pending_consume_ = 0;
    if (no_memory_) {
        no_memory_ = false;
        return {Status::no_memory};
    }
    if (failed_) return {};
    if (buf_.empty()) {
        buf_.release_if_over(4 * read_block);
        return {};
    }
    switch (framing_) {
    case Framing::line: return next_line();
    case Framing::netstring: return next_netstring();
    case Framing::raw: break;
    }
    // Raw: whatever arrived is one message, cut at the limit.
    const size_t n = buf_.size() > max_ ? static_cast<size_t>(max_) : buf_.size();
    pending_consume_ = n;
    return {Status::message, buf_.data(), n};
}

StreamDecoder::Item StreamDecoder::next_line()
{
    const uint8_t* p = buf_.data();
    const void* nl = std::memchr(p + scanned_, '\n', buf_.size() - scanned_);
    if (!nl) {
        scanned_ = buf_.size();
        // A line of exactly max_ bytes may be waiting for the LF of its CRLF.
        const size_t allowed = max_ + (scanned_ > 0 && p[scanned_ - 1] == '\r' ? 1 : 0);
        return scanned_ > allowed ? fail(Status::too_big) : Item{};
    }
    size_t len = static_cast<size_t>(static_cast<const uint8_t*>(nl) - p);
    pending_consume_ = len + 1;
    scanned_ = 0;
    if (len > 0 && p[len - 1] == '\r') --len;
    if (len > max_) return fail(Status::too_big);
    return {Status::message, p, len};
}

StreamDecoder::Item StreamDecoder::next_netstring()
{
    const uint8_t* p = buf_.data();
    const size_t avail = buf_.size();
    uint64_t len = 0;
    size_t i = 0;
    for (; i < avail && p[i] >= '0' && p[i] <= '9'; ++i) {
        // No leading zeros (only "0:" itself), and no length past the limit.
        if (i == 1 && p[0] == '0') return fail(Status::malformed);
        len = len * 10 + (p[i] - '0');
        if (len > max_) return fail(Status::too_big);
    }
    if (i == avail) return i < max_netstring_header ? Item{} : fail(Status::malformed);
    if (i == 0 || p[i] != ':') return fail(Status::malformed);
    const size_t total = i + 1 + static_cast<size_t>(len) + 1;
    if (avail < total) return {};
    if (p[total - 1] != ',') return fail(Status::malformed);
    pending_consume_ = total;
    return {Status::message, p + i + 1, static_cast<size_t>(len)};
}

StreamDecoder::Item StreamDecoder::finish()
{
    Item it = next();
    if (it.status != Status::none || failed_) return it;
    if (buf_.empty()) return {};
    if (framing_ == Framing::netstring) return fail(Status::malformed);
    // Line: the last line had no '\n' (websocketd drops it; we deliver it).
    const size_t len = buf_.size();
    if (len > max_) return fail(Status::too_big);
    pending_consume_ = len;
    scanned_ = 0;
    return {Status::message, buf_.data(), len};
}

} // namespace vws
