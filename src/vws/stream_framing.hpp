// How messages travel over a plain byte stream (a child's stdin/stdout in
// vws-handler, the terminal in vws-client). Sans-I/O, like the Connection.
//   line       one text message per line: payload + '\n' out; each line in
//              (without '\n', a trailing '\r' dropped) is a message.
//              websocketd-compatible. A message holding '\n' reads as several
//              lines on the other side.
//   raw        bytes as they come, no boundaries (websocketd --binary).
//   netstring  "LEN:PAYLOAD," both ways: boundaries and binary payloads kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "vws/buffer.hpp"

namespace vws {

enum class Framing : uint8_t { line, raw, netstring };

bool parse_framing(std::string_view name, Framing& out);
const char* framing_name(Framing f);

// Appends one message, framed, to out; false (out unchanged) when out cannot
// get the memory for it.
[[nodiscard]] bool encode_message(Framing f, const uint8_t* data, size_t size, ByteBuffer& out);

// Splits a byte stream into messages.
class StreamDecoder {
public:
    enum class Status : uint8_t {
        none,       // need more bytes
        message,    // data/size hold one message; valid until the next call
        too_big,    // a line or netstring over max_message
        malformed,  // netstring syntax
        no_memory,  // the buffer could not grow to hold the next message
    };
    struct Item {
        Status status = Status::none;
        const uint8_t* data = nullptr;
        size_t size = 0;
    };

    StreamDecoder(Framing f, uint64_t max_message);

    // Write up to input_space().size() bytes there, then call received(n).
    // Empty when the buffer cannot grow: next() and finish() then return
    // no_memory (once) and the stream is failed.
    std::span<uint8_t> input_space();
    void received(size_t n);
    Item next();
    // At EOF: a last line without '\n' is a message; a partial netstring is
    // malformed; otherwise none.
    Item finish();
    // After too_big, malformed or no_memory the stream is beyond repair: next() and
    // finish() return none from then on.
    bool failed() const { return failed_; }
    size_t buffered() const { return buf_.size(); }

    static constexpr size_t read_block = 64 * 1024;

private:
    Item next_line();
    Item next_netstring();
    Item fail(Status s);

    Framing framing_;
    uint64_t max_;
    ByteBuffer buf_;
    size_t pending_consume_ = 0;  // the last message handed out
    size_t scanned_ = 0;          // line: bytes already searched for '\n'
    bool failed_ = false;
    bool no_memory_ = false;      // input_space() failed; not yet reported
};

} // namespace vws
