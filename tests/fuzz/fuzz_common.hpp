// Shared by the libFuzzer targets: split the input at offsets taken from its
// own first bytes, so every target also sees its input in awkward pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vws/connection.hpp"

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

// Feeds n bytes to conn through input_space()/received(), handing every event
// to on_event and discarding the output as if it were sent.
template <class OnEvent>
void feed(vws::Connection& conn, const uint8_t* p, size_t n, OnEvent on_event)
{
    while (n > 0) {
        const auto space = conn.input_space();
        if (space.empty()) return;
        const size_t take = n < space.size() ? n : space.size();
        std::memcpy(space.data(), p, take);
        conn.received(take);
        p += take;
        n -= take;
        for (vws::Event e = conn.next_event(); e.type != vws::EventType::none; e = conn.next_event())
            on_event(conn, e);
        conn.sent(conn.output().size());
    }
}

// Feeds data whole, or cut at `cuts`.
template <class OnEvent>
void feed_cut(vws::Connection& conn, const uint8_t* data, size_t size, const std::vector<size_t>& cuts,
              OnEvent on_event)
{
    size_t at = 0;
    for (size_t cut : cuts) {
        const size_t n = cut < size - at ? cut : size - at;
        feed(conn, data + at, n, on_event);
        at += n;
    }
    feed(conn, data + at, size - at, on_event);
}

} // namespace fuzz
