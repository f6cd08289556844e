// Frame header codec (RFC 6455 §5.2). Parses and builds headers only; payloads
// are handled by the Connection, which unmasks them in place.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vws/fault.hpp"
#include "vws/mask.hpp"

namespace vws {

enum class Opcode : uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

inline bool is_control(Opcode op) { return (static_cast<uint8_t>(op) & 0x8) != 0; }

struct FrameHeader {
    bool fin = true;
    uint8_t rsv = 0;        // RSV1..RSV3 as the three low bits (RSV1 = 4)
    Opcode opcode = Opcode::text;
    bool masked = false;
    MaskKey mask_key = 0;
    uint64_t payload_len = 0;
};

// The longest header: 2 + 8 (64-bit length) + 4 (mask key).
inline constexpr size_t max_header_size = 14;

enum class ParseStatus : uint8_t { ok, need_more, fail };

struct HeaderParse {
    ParseStatus status;
    size_t consumed;   // header bytes, when ok; 0 otherwise
    Fault fault;       // when fail
};

// Parses one header from the front of data. ok: header filled, `consumed`
// bytes used; need_more: consumes nothing; fail: only wire-level faults that
// need no context (reserved opcode, 64-bit length with the top bit set).
HeaderParse parse_frame_header(const uint8_t* data, size_t len, FrameHeader& out);

// Writes h to out (room for max_header_size); returns the bytes written.
// Uses the shortest length encoding, as §5.2 requires.
size_t build_frame_header(const FrameHeader& h, uint8_t* out);

} // namespace vws
