#include "vws/frame.hpp"

#include <cstring>

namespace vws {

namespace {

bool known_opcode(uint8_t op)
{
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

} // namespace

HeaderParse parse_frame_header(const uint8_t* p, size_t len, FrameHeader& out)
{
    if (len < 2) return {ParseStatus::need_more, 0, Fault::none};
    const uint8_t op = p[0] & 0x0F;
    // §5.2: unknown opcodes fail the connection.
    if (!known_opcode(op)) return {ParseStatus::fail, 0, Fault::reserved_opcode};

    const bool masked = (p[1] & 0x80) != 0;
    const uint8_t len7 = p[1] & 0x7F;
    const size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const size_t need = 2 + ext + (masked ? 4 : 0);
    if (len < need) return {ParseStatus::need_more, 0, Fault::none};

    uint64_t payload_len = len7;
    if (ext == 2) {
        payload_len = (uint64_t{p[2]} << 8) | p[3];
    } else if (ext == 8) {
        // §5.2: the most significant bit MUST be 0.
        if (p[2] & 0x80) return {ParseStatus::fail, 0, Fault::length_top_bit};
        payload_len = 0;
        for (size_t i = 0; i < 8; ++i) payload_len = (payload_len << 8) | p[2 + i];
    }

    out.fin = (p[0] & 0x80) != 0;
    out.rsv = (p[0] >> 4) & 0x7;
    out.opcode = static_cast<Opcode>(op);
    out.masked = masked;
    out.payload_len = payload_len;
    out.mask_key = 0;
    if (masked) std::memcpy(&out.mask_key, p + 2 + ext, 4);
    return {ParseStatus::ok, need, Fault::none};
}

size_t build_frame_header(const FrameHeader& h, uint8_t* out)
{
    out[0] = static_cast<uint8_t>((h.fin ? 0x80 : 0) | (h.rsv & 0x7) << 4 |
                                  static_cast<uint8_t>(h.opcode));
    const uint8_t mask_bit = h.masked ? 0x80 : 0;
    size_t n;
    if (h.payload_len < 126) {
        out[1] = mask_bit | static_cast<uint8_t>(h.payload_len);
        n = 2;
    } else if (h.payload_len <= 0xFFFF) {
        out[1] = mask_bit | 126;
        out[2] = static_cast<uint8_t>(h.payload_len >> 8);
        out[3] = static_cast<uint8_t>(h.payload_len);
        n = 4;
    } else {
        out[1] = mask_bit | 127;
        for (size_t i = 0; i < 8; ++i)
            out[2 + i] = static_cast<uint8_t>(h.payload_len >> (56 - 8 * i));
        n = 10;
    }
    if (h.masked) {
        std::memcpy(out + n, &h.mask_key, 4);
        n += 4;
    }
    return n;
}

} // namespace vws
