// Randomness for the client role (sys/random.hpp). RFC 6455 §10.3: the mask
// key of each frame must be unpredictable from the ones before, or a page's
// script can choose the bytes a proxy sees; a source that repeated one key
// (or refilled its block with the same bytes) would fail here.
#include <doctest/doctest.h>

#include <set>

#include "sys/random.hpp"

TEST_CASE("random: RandomMaskKeys gives a fresh key per frame, across refills of its block") {
    vws::sys::RandomMaskKeys keys;
    std::set<vws::MaskKey> seen;
    const int draws = 200;  // the block holds 64 keys: this crosses three refills
    for (int i = 0; i < draws; ++i) seen.insert(keys.next_mask_key());
    // 200 random 32-bit keys collide with probability ~5e-6; allow one collision.
    CHECK(seen.size() >= draws - 1);
}

TEST_CASE("random: two RandomMaskKeys do not start with the same keys") {
    vws::sys::RandomMaskKeys a, b;
    std::set<vws::MaskKey> first;
    for (int i = 0; i < 8; ++i) first.insert(a.next_mask_key());
    int shared = 0;
    for (int i = 0; i < 8; ++i) shared += first.count(b.next_mask_key()) ? 1 : 0;
    CHECK(shared <= 1);
}

TEST_CASE("random: random_websocket_key is base64 of 16 bytes, new each time") {
    const std::string k1 = vws::sys::random_websocket_key();
    const std::string k2 = vws::sys::random_websocket_key();
    CHECK(k1.size() == 24);
    CHECK(k1.substr(22) == "==");
    CHECK(k1 != k2);
}
