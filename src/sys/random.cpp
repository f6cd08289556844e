#include "sys/random.hpp"

#include <openssl/evp.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "sys/log.hpp"

namespace vws::sys {

void random_bytes(void* buf, size_t n)
{
    auto* p = static_cast<uint8_t*>(buf);
    while (n > 0) {
        const ssize_t got = getrandom(p, n, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) fatal(exit_code::system, "unable to get random bytes: %s", std::strerror(errno));
        p += got;
        n -= static_cast<size_t>(got);
    }
}

std::string random_websocket_key()
{
    uint8_t raw[16];
    random_bytes(raw, sizeof raw);
    unsigned char b64[32];
    const int n = EVP_EncodeBlock(b64, raw, sizeof raw);
    return std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
}

MaskKey RandomMaskKeys::next_mask_key()
{
    if (used_ + sizeof(MaskKey) > sizeof block_) {
        random_bytes(block_, sizeof block_);
        used_ = 0;
    }
    MaskKey k;
    std::memcpy(&k, block_ + used_, sizeof k);
    used_ += sizeof k;
    return k;
}

} // namespace vws::sys
