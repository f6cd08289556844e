// Shared by the libFuzzer targets: split the input at offsets taken from its
// own first bytes, so every target also sees its input in awkward pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fuzz {

// The first byte picks up to 8 cut points from the next bytes; the rest is data.
inline std::vector<size_t> cut_points(const uint8_t*& data, size_t& size)
{
    std::vector<size_t> cuts;
    if (size < 1) return cuts;
    const size_t n = data[0] % 9;
    ++data;
    --size;
    for (size_t i = 0; i < n && size > 0; ++i) {
        cuts.push_back(data[0]);
        ++data;
        --size;
    }
    return cuts;
}

} // namespace fuzz
