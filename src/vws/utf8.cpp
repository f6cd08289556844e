#include "vws/utf8.hpp"

#include <cstring>

namespace vws {

// RFC 3629 §4: the first byte fixes how many continuation bytes follow and
// the allowed range of the first of them (which rules out overlong forms,
// surrogates and code points above U+10FFFF); later ones are 80..BF.
bool Utf8Validator::feed(const uint8_t* p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (need_ == 0) {
            // ASCII fast path, a word at a time.
            while (i + 8 <= len) {
                uint64_t w;
                std::memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull) break;
                i += 8;
            }
            if (i == len) break;
            const uint8_t b = p[i++];
            if (b < 0x80) continue;
            lower_ = 0x80;
            upper_ = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                need_ = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need_ = 2;
                if (b == 0xE0) lower_ = 0xA0;
                if (b == 0xED) upper_ = 0x9F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                need_ = 3;
                if (b == 0xF0) lower_ = 0x90;
                if (b == 0xF4) upper_ = 0x8F;
            } else {
                return false;  // 80..C1 (continuation or overlong lead), F5..FF
            }
            continue;
        }
        const uint8_t b = p[i++];
        if (b < lower_ || b > upper_) return false;
        lower_ = 0x80;
        upper_ = 0xBF;
        --need_;
    }
    return true;
}

bool valid_utf8(const uint8_t* data, size_t len)
{
    Utf8Validator v;
    return v.feed(data, len) && v.complete();
}

} // namespace vws
