// Masking (mask.hpp, RFC 6455 §5.3): the fast versions must equal the byte-at-
// a-time reference at every length, buffer alignment and key phase.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "helpers.hpp"
#include "vws/frame.hpp"
#include "vws/mask.hpp"

using namespace vws_test;

namespace {

const vws::MaskKey keys[] = {0x37fa213du, 0x01020304u, 0xffffffffu, 0x80000001u, 0u};

// A buffer whose data begins `align` bytes past an 8-aligned address and whose
// end is the end of the allocation, so ASan catches any write past it.
struct Aligned {
    std::unique_ptr<uint8_t[]> mem;
    uint8_t* p;
    Aligned(size_t align, size_t len) : mem(new uint8_t[align + len]), p(mem.get() + align) {
        // operator new[] returns memory aligned for any fundamental type.
        REQUIRE(reinterpret_cast<uintptr_t>(mem.get()) % 8 == 0);
    }
};

} // namespace

TEST_CASE("mask: apply_mask equals apply_mask_bytewise at every length, alignment, phase") {
    for (vws::MaskKey key : keys)
        for (size_t len = 0; len <= 64; ++len)
            for (size_t align = 0; align < 8; ++align)
                for (size_t phase = 0; phase < 4; ++phase) {
                    CAPTURE(key); CAPTURE(len); CAPTURE(align); CAPTURE(phase);
                    Bytes src = pattern(len, static_cast<unsigned>(len + align));
                    Aligned fast(align, len), slow(align, len);
                    std::memcpy(fast.p, src.data(), len);
                    std::memcpy(slow.p, src.data(), len);
                    size_t pf = vws::apply_mask(fast.p, len, key, phase);
                    size_t ps = vws::apply_mask_bytewise(slow.p, len, key, phase);
                    REQUIRE(pf == ps);
                    CHECK(ps == (phase + len) % 4);
                    REQUIRE(std::memcmp(fast.p, slow.p, len) == 0);
                    // Masking twice restores the input.
                    vws::apply_mask(fast.p, len, key, phase);
                    REQUIRE(std::memcmp(fast.p, src.data(), len) == 0);
                }
}

TEST_CASE("mask: copy_masked equals apply_mask_bytewise at every length, alignment, phase") {
    for (vws::MaskKey key : keys)
        for (size_t len = 0; len <= 64; ++len)
            for (size_t align = 0; align < 8; ++align)
                for (size_t dalign : {size_t(0), align, (align + 3) % 8})
                    for (size_t phase = 0; phase < 4; ++phase) {
                        CAPTURE(key); CAPTURE(len); CAPTURE(align); CAPTURE(dalign); CAPTURE(phase);
                        Bytes src = pattern(len, static_cast<unsigned>(len * 3 + phase));
                        Aligned in(align, len), out(dalign, len), ref(0, len);
                        std::memcpy(in.p, src.data(), len);
                        std::memcpy(ref.p, src.data(), len);
                        size_t pc = vws::copy_masked(out.p, in.p, len, key, phase);
                        size_t pr = vws::apply_mask_bytewise(ref.p, len, key, phase);
                        REQUIRE(pc == pr);
                        REQUIRE(std::memcmp(out.p, ref.p, len) == 0);
                        REQUIRE(std::memcmp(in.p, src.data(), len) == 0);  // source untouched
                        vws::copy_masked(in.p, out.p, len, key, phase);
                        REQUIRE(std::memcmp(in.p, src.data(), len) == 0);
                    }
}

TEST_CASE("mask: a payload masked in pieces equals one call") {
    Bytes src = pattern(200);
    for (size_t cut1 = 0; cut1 <= 40; ++cut1)
        for (size_t cut2 = cut1; cut2 <= 80; cut2 += 7) {
            CAPTURE(cut1); CAPTURE(cut2);
            Bytes whole = src, pieces = src;
            auto* w = reinterpret_cast<uint8_t*>(whole.data());
            auto* p = reinterpret_cast<uint8_t*>(pieces.data());
            vws::apply_mask_bytewise(w, whole.size(), 0x37fa213du, 0);
            size_t ph = vws::apply_mask(p, cut1, 0x37fa213du, 0);
            ph = vws::apply_mask(p + cut1, cut2 - cut1, 0x37fa213du, ph);
            vws::apply_mask(p + cut2, pieces.size() - cut2, 0x37fa213du, ph);
            REQUIRE(whole == pieces);
        }
}

// The key's byte order is the wire's: the key parsed from the RFC 6455 §5.7
// masked "Hello" unmasks its payload, and masking zeros yields the key bytes.
TEST_CASE("mask: the key from a parsed header unmasks the RFC 6455 §5.7 example") {
    Bytes f = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    vws::FrameHeader h;
    auto r = vws::parse_frame_header(u8(f), f.size(), h);
    REQUIRE(r.status == vws::ParseStatus::ok);
    REQUIRE(r.consumed == 6);
    Bytes payload = f.substr(6);
    for (size_t phase_split = 0; phase_split <= 5; ++phase_split) {
        Bytes a = payload, b = payload;
        vws::apply_mask_bytewise(reinterpret_cast<uint8_t*>(a.data()), a.size(), h.mask_key, 0);
        size_t ph = vws::apply_mask(reinterpret_cast<uint8_t*>(b.data()), phase_split, h.mask_key, 0);
        vws::apply_mask(reinterpret_cast<uint8_t*>(b.data()) + phase_split, 5 - phase_split,
                        h.mask_key, ph);
        CHECK(a == "Hello");
        CHECK(b == "Hello");
    }
    uint8_t zeros[4] = {0, 0, 0, 0};
    vws::apply_mask_bytewise(zeros, 4, h.mask_key, 0);
    CHECK(to_hex(std::string_view(reinterpret_cast<char*>(zeros), 4)) == "37 fa 21 3d");
}
