// Incremental UTF-8 validation (RFC 3629), for text messages that arrive in
// fragments and partial reads: the state carries a sequence split across chunks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vws {

class Utf8Validator {
public:
    // Feeds the next chunk; false as soon as the bytes so far cannot be UTF-8
    // (overlong forms, surrogates, code points above U+10FFFF, bad continuation).
    bool feed(const uint8_t* data, size_t len);
    // True when the bytes so far end on a character boundary.
    bool complete() const { return need_ == 0; }
    void reset() { need_ = 0; lower_ = 0x80; upper_ = 0xBF; }

private:
    uint8_t need_ = 0;      // continuation bytes still expected
    uint8_t lower_ = 0x80;  // allowed range of the next continuation byte
    uint8_t upper_ = 0xBF;
};

// Whole-buffer check.
bool valid_utf8(const uint8_t* data, size_t len);

} // namespace vws
