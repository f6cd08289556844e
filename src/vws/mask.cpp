#include "vws/mask.hpp"

#include <cstring>

namespace vws {

namespace {

// The key repeated to fill a word, rotated so that its first byte applies to
// the byte at `phase`.
uint64_t word_key(MaskKey key, size_t phase)
{
    uint8_t k[4];
    std::memcpy(k, &key, 4);
    uint8_t w[8];
    for (size_t i = 0; i < 8; ++i) w[i] = k[(phase + i) & 3];
    uint64_t word;
    std::memcpy(&word, w, 8);
    return word;
}

} // namespace

size_t apply_mask_bytewise(uint8_t* data, size_t len, MaskKey key, size_t phase)
{
    uint8_t k[4];
    std::memcpy(k, &key, 4);
    for (size_t i = 0; i < len; ++i) data[i] ^= k[(phase + i) & 3];
    return (phase + len) & 3;
}

size_t copy_masked(uint8_t* dst, const uint8_t* src, size_t len, MaskKey key, size_t phase)
{
    uint8_t k[4];
    std::memcpy(k, &key, 4);
    size_t i = 0;
    // Bytes until dst is aligned, then 32 bytes a turn as vectors (SSE2 on
    // any x86-64, wider where the compiler may), then words, then the tail.
    // memcpy keeps every load legal for any src alignment.
    for (; i < len && (reinterpret_cast<uintptr_t>(dst + i) & 15) != 0; ++i)
        dst[i] = src[i] ^ k[(phase + i) & 3];
    const uint64_t wk = word_key(key, phase + i);
    typedef uint64_t v2 __attribute__((vector_size(16)));
    const v2 vk = {wk, wk};
    for (; i + 32 <= len; i += 32) {
        v2 a, b;
        std::memcpy(&a, src + i, 16);
        std::memcpy(&b, src + i + 16, 16);
        a ^= vk;
        b ^= vk;
        std::memcpy(dst + i, &a, 16);
        std::memcpy(dst + i + 16, &b, 16);
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        std::memcpy(&w, src + i, 8);
        w ^= wk;
        std::memcpy(dst + i, &w, 8);
    }
    for (; i < len; ++i) dst[i] = src[i] ^ k[(phase + i) & 3];
    return (phase + len) & 3;
}

size_t apply_mask(uint8_t* data, size_t len, MaskKey key, size_t phase)
{
    return copy_masked(data, data, len, key, phase);
}

} // namespace vws
