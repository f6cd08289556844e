// Masking (RFC 6455 §5.3): XOR with a 4-byte key, a machine word at a time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vws {

// The key as it appears on the wire, byte 0 first.
using MaskKey = uint32_t;

// XORs data[i] with key byte (phase + i) % 4, in place. Returns the phase for
// the bytes that follow, so a payload may be unmasked across several calls.
size_t apply_mask(uint8_t* data, size_t len, MaskKey key, size_t phase);
// The same while copying src to dst; dst may be src, but not overlap it otherwise.
size_t copy_masked(uint8_t* dst, const uint8_t* src, size_t len, MaskKey key, size_t phase);
// Byte at a time: the reference the fast versions are tested against.
size_t apply_mask_bytewise(uint8_t* data, size_t len, MaskKey key, size_t phase);

} // namespace vws
