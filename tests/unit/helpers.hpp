// Shared test helpers: byte strings from hex, and the frame builders and
// parsers the tests use to talk to the core without trusting its own codec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace vws_test {

using Bytes = std::string;   // bytes as a string: easy to compare and print

inline const uint8_t* u8(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// "81 05 48" -> "\x81\x05\x48"; white space between byte pairs is optional.
inline Bytes hex(std::string_view h) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Bytes out;
    int hi = -1;
    for (char c : h) {
        int n = nibble(c);
        if (n < 0) continue;
        if (hi < 0) { hi = n; continue; }
        out.push_back(static_cast<char>(hi * 16 + n));
        hi = -1;
    }
    return out;
}

// Printable form for failure messages: "81 05 48 ...".
inline std::string to_hex(std::string_view s, size_t max = 64) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < s.size() && i < max; ++i) {
        auto b = static_cast<uint8_t>(s[i]);
        if (i) out += ' ';
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    if (s.size() > max) out += " ...";
    return out;
}

// A payload of n bytes in a recognisable pattern.
inline Bytes pattern(size_t n, unsigned seed = 7) {
    Bytes out(n, '\0');
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 31 + seed) % 251);
    return out;
}

// A frame built by hand from RFC 6455 §5.2, independently of build_frame_header.
// byte0 is FIN|RSV|opcode; key holds the four mask-key bytes as on the wire.
inline Bytes frame(uint8_t byte0, std::string_view payload, bool masked,
                   const char key[4] = "\x37\xfa\x21\x3d") {
    Bytes out;
    out.push_back(static_cast<char>(byte0));
    uint8_t m = masked ? 0x80 : 0;
    size_t n = payload.size();
    if (n <= 125) {
        out.push_back(static_cast<char>(m | n));
    } else if (n <= 0xFFFF) {
        out.push_back(static_cast<char>(m | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
    } else {
        out.push_back(static_cast<char>(m | 127));
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((uint64_t(n) >> (8 * i)) & 0xFF));
    }
    if (masked) {
        out.append(key, 4);
        for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
    } else {
        out.append(payload);
    }
    return out;
}

// A masked client frame: fin and opcode as given.
inline Bytes cframe(uint8_t byte0, std::string_view payload) { return frame(byte0, payload, true); }

// A close payload: code big-endian, then the reason.
inline Bytes close_payload(uint16_t code, std::string_view reason = {}) {
    Bytes p;
    p.push_back(static_cast<char>(code >> 8));
    p.push_back(static_cast<char>(code & 0xFF));
    p.append(reason);
    return p;
}

struct WireFrame {
    bool fin = false;
    uint8_t rsv = 0;
    uint8_t opcode = 0;
    bool masked = false;
    Bytes payload;   // unmasked
};

// Parses a run of complete frames; `ok` false when bytes are left over or a
// length is malformed.
struct WireFrames {
    std::vector<WireFrame> frames;
    bool ok = true;
};

inline WireFrames parse_wire_frames(std::string_view s) {
    WireFrames r;
    size_t i = 0;
    while (i < s.size()) {
        if (s.size() - i < 2) { r.ok = false; break; }
        auto b0 = static_cast<uint8_t>(s[i]), b1 = static_cast<uint8_t>(s[i + 1]);
        WireFrame f;
        f.fin = b0 & 0x80;
        f.rsv = (b0 >> 4) & 7;
        f.opcode = b0 & 0x0F;
        f.masked = b1 & 0x80;
        uint64_t n = b1 & 0x7F;
        size_t at = i + 2;
        size_t ext = n == 126 ? 2 : n == 127 ? 8 : 0;
        if (s.size() - at < ext) { r.ok = false; break; }
        if (ext) {
            n = 0;
            for (size_t k = 0; k < ext; ++k) n = (n << 8) | static_cast<uint8_t>(s[at + k]);
            at += ext;
        }
        char key[4] = {0, 0, 0, 0};
        if (f.masked) {
            if (s.size() - at < 4) { r.ok = false; break; }
            std::memcpy(key, s.data() + at, 4);
            at += 4;
        }
        if (s.size() - at < n) { r.ok = false; break; }
        f.payload.assign(s.substr(at, n));
        for (size_t k = 0; k < n; ++k) f.payload[k] = static_cast<char>(f.payload[k] ^ key[k % 4]);
        r.frames.push_back(std::move(f));
        i = at + n;
    }
    return r;
}

// Code of a close payload, or 0 when it has none.
inline uint16_t code_of(const Bytes& close_payload) {
    if (close_payload.size() < 2) return 0;
    return static_cast<uint16_t>(static_cast<uint8_t>(close_payload[0]) << 8 |
                                 static_cast<uint8_t>(close_payload[1]));
}

} // namespace vws_test
