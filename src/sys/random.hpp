// Randomness for the client role, from the kernel (getrandom(2)): the
// Sec-WebSocket-Key (RFC 6455 §4.1: 16 random bytes, base64) and a fresh mask
// key per frame (§5.3: "derived from a strong source of entropy").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vws/connection.hpp"

namespace vws::sys {

// Fills buf with n random bytes; exits 111 if the kernel will not give them.
void random_bytes(void* buf, size_t n);

// base64 of 16 random bytes.
std::string random_websocket_key();

// Mask keys drawn from a block of getrandom bytes, refilled when used up:
// one syscall per 64 frames rather than one per frame.
class RandomMaskKeys : public MaskKeySource {
public:
    MaskKey next_mask_key() override;

private:
    uint8_t block_[256];
    size_t used_ = sizeof block_;
};

} // namespace vws::sys
