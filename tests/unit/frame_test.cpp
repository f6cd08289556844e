// Frame headers (frame.hpp, RFC 6455 §5.2), with the §5.7 examples as vectors:
// each parsed whole, from every too-short prefix (need_more, nothing consumed),
// with trailing bytes, and rebuilt byte for byte by build_frame_header.
#include <doctest/doctest.h>

#include <string>

#include "helpers.hpp"
#include "vws/frame.hpp"

using namespace vws_test;
using vws::Opcode;
using vws::ParseStatus;

namespace {

struct HeaderCase {
    const char* name;
    const char* header_hex;   // the header only
    bool fin;
    uint8_t rsv;
    Opcode opcode;
    bool masked;
    const char* key_hex;      // mask key bytes as on the wire, "" when unmasked
    uint64_t payload_len;
    const char* payload_hex;  // the frame's payload as sent, "" when not given
    const char* plain;        // the payload after unmasking, nullptr when not given
};

const HeaderCase header_cases[] = {
    // RFC 6455 §5.7
    {"single-frame unmasked text", "81 05", true, 0, Opcode::text, false, "", 5,
     "48 65 6c 6c 6f", "Hello"},
    {"single-frame masked text", "81 85 37 fa 21 3d", true, 0, Opcode::text, true,
     "37 fa 21 3d", 5, "7f 9f 4d 51 58", "Hello"},
    {"fragmented text, first", "01 03", false, 0, Opcode::text, false, "", 3, "48 65 6c", "Hel"},
    {"fragmented text, last", "80 02", true, 0, Opcode::continuation, false, "", 2, "6c 6f", "lo"},
    {"unmasked ping", "89 05", true, 0, Opcode::ping, false, "", 5, "48 65 6c 6c 6f", "Hello"},
    {"masked pong", "8a 85 37 fa 21 3d", true, 0, Opcode::pong, true, "37 fa 21 3d", 5,
     "7f 9f 4d 51 58", "Hello"},
    {"256-byte binary", "82 7e 01 00", true, 0, Opcode::binary, false, "", 256, "", nullptr},
    {"64 KiB binary", "82 7f 00 00 00 00 00 01 00 00", true, 0, Opcode::binary, false, "", 65536,
     "", nullptr},
    // Beyond the RFC's examples.
    {"empty close", "88 00", true, 0, Opcode::close, false, "", 0, "", ""},
    {"masked 16-bit length", "82 fe 00 7e 01 02 03 04", true, 0, Opcode::binary, true,
     "01 02 03 04", 126, "", nullptr},
    {"masked 64-bit length", "02 ff 00 00 00 01 00 00 00 00 aa bb cc dd", false, 0, Opcode::binary,
     true, "aa bb cc dd", 1ull << 32, "", nullptr},
    {"largest length", "82 7f 7f ff ff ff ff ff ff ff", true, 0, Opcode::binary, false, "",
     0x7fffffffffffffffull, "", nullptr},
    {"RSV1", "c1 00", true, 4, Opcode::text, false, "", 0, "", ""},
    {"RSV1-3", "f1 00", true, 7, Opcode::text, false, "", 0, "", ""},
    {"RSV3, not final", "11 00", false, 1, Opcode::text, false, "", 0, "", ""},
};

// The mask key bytes as on the wire, read back through the reference masker
// (so the test does not assume how MaskKey stores them).
std::string key_bytes(vws::MaskKey key) {
    uint8_t z[4] = {0, 0, 0, 0};
    vws::apply_mask_bytewise(z, 4, key, 0);
    return to_hex(std::string_view(reinterpret_cast<char*>(z), 4));
}

} // namespace

TEST_CASE("frame: RFC 6455 §5.7 headers parse, need more when short, and rebuild") {
    for (const auto& c : header_cases) {
        CAPTURE(std::string(c.name));
        Bytes head = hex(c.header_hex);
        Bytes payload = hex(c.payload_hex);
        Bytes whole = head + payload;

        vws::FrameHeader h;
        auto r = vws::parse_frame_header(u8(whole), whole.size(), h);
        REQUIRE(r.status == ParseStatus::ok);
        CHECK(r.consumed == head.size());
        CHECK(h.fin == c.fin);
        CHECK(h.rsv == c.rsv);
        CHECK(h.opcode == c.opcode);
        CHECK(h.masked == c.masked);
        CHECK(h.payload_len == c.payload_len);
        if (c.masked) CHECK(key_bytes(h.mask_key) == std::string(c.key_hex));
        if (c.plain) {
            Bytes p = payload;
            if (h.masked)
                vws::apply_mask_bytewise(reinterpret_cast<uint8_t*>(p.data()), p.size(), h.mask_key, 0);
            CHECK(p == c.plain);
        }

        // Trailing bytes (the payload, the next frame) are not consumed.
        Bytes more = head + "0123456789abcdef";
        vws::FrameHeader h2;
        auto r2 = vws::parse_frame_header(u8(more), more.size(), h2);
        REQUIRE(r2.status == ParseStatus::ok);
        CHECK(r2.consumed == head.size());
        CHECK(h2.payload_len == c.payload_len);

        // Every prefix of the header is too short.
        for (size_t n = 0; n < head.size(); ++n) {
            CAPTURE(n);
            vws::FrameHeader hs;
            auto rs = vws::parse_frame_header(u8(head), n, hs);
            CHECK(rs.status == ParseStatus::need_more);
            CHECK(rs.consumed == 0);
        }

        // build_frame_header gives back the same bytes.
        uint8_t out[vws::max_header_size + 2];
        size_t n = vws::build_frame_header(h, out);
        CHECK(to_hex(std::string_view(reinterpret_cast<char*>(out), n)) == to_hex(head));
    }
}

TEST_CASE("frame: reserved opcodes fail with reserved_opcode") {
    for (uint8_t op : {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf}) {
        for (bool fin : {true, false}) {
            CAPTURE(int(op)); CAPTURE(fin);
            uint8_t b[2] = {static_cast<uint8_t>((fin ? 0x80 : 0) | op), 0x00};
            vws::FrameHeader h;
            auto r = vws::parse_frame_header(b, 2, h);
            CHECK(r.status == ParseStatus::fail);
            CHECK(r.fault == vws::Fault::reserved_opcode);
            CHECK(r.consumed == 0);
        }
    }
    // The defined opcodes parse.
    for (uint8_t op : {0, 1, 2, 8, 9, 0xa}) {
        CAPTURE(int(op));
        uint8_t b[2] = {static_cast<uint8_t>(0x80 | op), 0x00};
        vws::FrameHeader h;
        CHECK(vws::parse_frame_header(b, 2, h).status == ParseStatus::ok);
        CHECK(static_cast<uint8_t>(h.opcode) == op);
    }
}

// §5.2: "the most significant bit MUST be 0".
TEST_CASE("frame: 64-bit length with the top bit set fails with length_top_bit") {
    for (const char* v : {"82 7f 80 00 00 00 00 00 00 00", "82 7f ff ff ff ff ff ff ff ff",
                          "82 ff 80 00 00 00 00 00 00 01 11 22 33 44"}) {
        CAPTURE(std::string(v));
        Bytes b = hex(v);
        vws::FrameHeader h;
        auto r = vws::parse_frame_header(u8(b), b.size(), h);
        CHECK(r.status == ParseStatus::fail);
        CHECK(r.fault == vws::Fault::length_top_bit);
        CHECK(r.consumed == 0);
        // Before the length is complete, the parser cannot tell.
        CHECK(vws::parse_frame_header(u8(b), 2, h).status == ParseStatus::need_more);
    }
}

TEST_CASE("frame: build_frame_header uses the shortest length encoding") {
    struct LenCase { uint64_t len; const char* hex; };
    const LenCase cases[] = {
        {0, "82 00"},
        {1, "82 01"},
        {125, "82 7d"},
        {126, "82 7e 00 7e"},
        {127, "82 7e 00 7f"},
        {256, "82 7e 01 00"},
        {65535, "82 7e ff ff"},
        {65536, "82 7f 00 00 00 00 00 01 00 00"},
        {1ull << 32, "82 7f 00 00 00 01 00 00 00 00"},
        {0x7fffffffffffffffull, "82 7f 7f ff ff ff ff ff ff ff"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.len);
        vws::FrameHeader h;
        h.fin = true;
        h.opcode = Opcode::binary;
        h.payload_len = c.len;
        uint8_t out[vws::max_header_size];
        size_t n = vws::build_frame_header(h, out);
        CHECK(to_hex(std::string_view(reinterpret_cast<char*>(out), n)) == std::string(c.hex));

        // Masked: the mask bit, the same length, then the key.
        Bytes key = hex("37 fa 21 3d");
        Bytes ref = hex("81 85 37 fa 21 3d");
        vws::FrameHeader parsed;
        REQUIRE(vws::parse_frame_header(u8(ref), ref.size(), parsed).status == ParseStatus::ok);
        h.masked = true;
        h.mask_key = parsed.mask_key;
        size_t m = vws::build_frame_header(h, out);
        Bytes want = hex(c.hex);
        want[1] = static_cast<char>(want[1] | 0x80);
        want += key;
        CHECK(m == want.size());
        CHECK(to_hex(std::string_view(reinterpret_cast<char*>(out), m)) == to_hex(want));

        // And it parses back.
        vws::FrameHeader back;
        auto r = vws::parse_frame_header(out, m, back);
        REQUIRE(r.status == ParseStatus::ok);
        CHECK(r.consumed == m);
        CHECK(back.payload_len == c.len);
        CHECK(back.masked);
        CHECK(back.mask_key == parsed.mask_key);
    }
}

TEST_CASE("frame: build_frame_header writes fin, rsv and opcode") {
    vws::FrameHeader h;
    h.fin = false;
    h.rsv = 5;
    h.opcode = Opcode::continuation;
    h.payload_len = 3;
    uint8_t out[vws::max_header_size];
    size_t n = vws::build_frame_header(h, out);
    CHECK(to_hex(std::string_view(reinterpret_cast<char*>(out), n)) == "50 03");
    CHECK(vws::is_control(Opcode::ping));
    CHECK(vws::is_control(Opcode::close));
    CHECK_FALSE(vws::is_control(Opcode::binary));
    CHECK_FALSE(vws::is_control(Opcode::continuation));
}
