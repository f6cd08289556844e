// Incremental UTF-8 validation (utf8.hpp). Every vector is fed whole, split at
// every offset into two feeds, byte by byte, and from every start alignment;
// the verdict must not depend on how the bytes arrive.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "vws/utf8.hpp"

using namespace vws_test;

namespace {

enum class Verdict { valid, invalid, truncated };  // truncated: feeds ok, not complete

const char* verdict_name(Verdict v) {
    return v == Verdict::valid ? "valid" : v == Verdict::invalid ? "invalid" : "truncated";
}

struct Utf8Case {
    const char* name;
    const char* hex;
    Verdict verdict;
};

const Utf8Case utf8_cases[] = {
    {"empty", "", Verdict::valid},
    {"ascii", "48 65 6c 6c 6f", Verdict::valid},
    {"nul", "00", Verdict::valid},
    {"del", "7f", Verdict::valid},
    {"2-byte U+0080", "c2 80", Verdict::valid},
    {"2-byte U+00E9", "c3 a9", Verdict::valid},
    {"2-byte U+07FF", "df bf", Verdict::valid},
    {"3-byte U+0800", "e0 a0 80", Verdict::valid},
    {"3-byte euro", "e2 82 ac", Verdict::valid},
    {"3-byte U+D7FF", "ed 9f bf", Verdict::valid},
    {"3-byte U+E000", "ee 80 80", Verdict::valid},
    {"3-byte U+FFFF", "ef bf bf", Verdict::valid},
    {"4-byte U+10000", "f0 90 80 80", Verdict::valid},
    {"4-byte U+1F600", "f0 9f 98 80", Verdict::valid},
    {"4-byte U+10FFFF", "f4 8f bf bf", Verdict::valid},
    {"mixed", "48 c3 a9 e2 82 ac f0 9f 98 80 21", Verdict::valid},
    {"kosme", "ce ba e1 bd b9 cf 83 ce bc ce b5", Verdict::valid},

    {"overlong C0 80", "c0 80", Verdict::invalid},
    {"overlong C1 BF", "c1 bf", Verdict::invalid},
    {"overlong E0 80 80", "e0 80 80", Verdict::invalid},
    {"overlong E0 9F BF", "e0 9f bf", Verdict::invalid},
    {"overlong F0 80 80 80", "f0 80 80 80", Verdict::invalid},
    {"overlong F0 8F BF BF", "f0 8f bf bf", Verdict::invalid},
    {"surrogate ED A0 80", "ed a0 80", Verdict::invalid},
    {"surrogate ED BF BF", "ed bf bf", Verdict::invalid},
    {"above U+10FFFF F4 90 80 80", "f4 90 80 80", Verdict::invalid},
    {"lead F5", "f5 80 80 80", Verdict::invalid},
    {"lead F8", "f8 88 80 80 80", Verdict::invalid},
    {"lead FE", "fe", Verdict::invalid},
    {"lead FF", "ff", Verdict::invalid},
    {"lone continuation 80", "80", Verdict::invalid},
    {"lone continuation BF after ascii", "41 bf", Verdict::invalid},
    {"2-byte then ascii", "c3 41", Verdict::invalid},
    {"3-byte cut by ascii", "e2 82 41", Verdict::invalid},
    {"4-byte cut by lead", "f0 9f 98 c3 a9", Verdict::invalid},
    {"extra continuation", "c3 a9 a9", Verdict::invalid},
    {"invalid after valid text", "48 65 6c 6c 6f ff", Verdict::invalid},

    {"truncated E2 82", "e2 82", Verdict::truncated},
    {"truncated C3", "c3", Verdict::truncated},
    {"truncated F0 9F 98", "f0 9f 98", Verdict::truncated},
    {"truncated F4 8F", "f4 8f", Verdict::truncated},
    {"truncated after text", "48 69 e2 82", Verdict::truncated},
};

// Feeds the chunks in order; a feed after the first false is not made.
Verdict feed_chunks(const std::vector<std::string_view>& chunks) {
    vws::Utf8Validator v;
    for (auto c : chunks)
        if (!v.feed(u8(c), c.size())) return Verdict::invalid;
    return v.complete() ? Verdict::valid : Verdict::truncated;
}

// Every way of feeding s gives `want`.
void check_all_splits(const std::string& s, Verdict want) {
    CAPTURE(to_hex(s));
    CHECK(verdict_name(feed_chunks({s})) == std::string(verdict_name(want)));
    CHECK(vws::valid_utf8(u8(s), s.size()) == (want == Verdict::valid));
    for (size_t i = 0; i <= s.size(); ++i) {
        CAPTURE(i);
        std::string_view sv(s);
        CHECK(verdict_name(feed_chunks({sv.substr(0, i), sv.substr(i)})) ==
              std::string(verdict_name(want)));
    }
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < s.size(); ++i) bytes.push_back(std::string_view(s).substr(i, 1));
    CHECK(verdict_name(feed_chunks(bytes)) == std::string(verdict_name(want)));
    // From every alignment of the buffer start, for a word-at-a-time fast path;
    // the copy sits in a buffer of its exact size so ASan sees any over-read.
    for (size_t align = 0; align < 8; ++align) {
        CAPTURE(align);
        std::unique_ptr<uint8_t[]> buf(new uint8_t[align + s.size()]);
        std::memcpy(buf.get() + align, s.data(), s.size());
        vws::Utf8Validator v;
        Verdict got = !v.feed(buf.get() + align, s.size()) ? Verdict::invalid
                      : v.complete()                       ? Verdict::valid
                                                           : Verdict::truncated;
        CHECK(verdict_name(got) == std::string(verdict_name(want)));
        CHECK(vws::valid_utf8(buf.get() + align, s.size()) == (want == Verdict::valid));
    }
}

} // namespace

TEST_CASE("utf8: vectors whole, split at every offset, byte by byte") {
    for (const auto& c : utf8_cases) {
        CAPTURE(std::string(c.name));
        check_all_splits(hex(c.hex), c.verdict);
    }
}

TEST_CASE("utf8: vectors embedded in long ASCII runs, at every offset") {
    // Runs longer than a machine word exercise the ASCII fast path; the
    // interesting bytes land before, on and after every word boundary.
    for (const auto& c : utf8_cases) {
        if (c.verdict == Verdict::truncated) continue;
        Bytes v = hex(c.hex);
        for (size_t before = 0; before <= 24; before += 1) {
            CAPTURE(std::string(c.name));
            CAPTURE(before);
            std::string s = std::string(before, 'a') + v + std::string(17, 'z');
            check_all_splits(s, c.verdict);
        }
    }
}

TEST_CASE("utf8: truncated sequence at the end of a long ASCII run") {
    for (const char* tail : {"e2 82", "c3", "f0 9f 98", "f4 8f bf"}) {
        for (size_t before = 0; before <= 24; ++before) {
            CAPTURE(std::string(tail));
            CAPTURE(before);
            check_all_splits(std::string(before, 'x') + hex(tail), Verdict::truncated);
        }
    }
}

TEST_CASE("utf8: long valid text with multibyte characters everywhere") {
    std::string s;
    for (int i = 0; i < 40; ++i) {
        s += std::string(static_cast<size_t>(i % 11), 'q');
        s += hex(i % 3 == 0 ? "c3 a9" : i % 3 == 1 ? "e2 82 ac" : "f0 9f 98 80");
    }
    check_all_splits(s, Verdict::valid);
    check_all_splits(s + hex("ed a0 80") + "tail", Verdict::invalid);
}

TEST_CASE("utf8: reset clears a pending sequence") {
    vws::Utf8Validator v;
    Bytes t = hex("e2 82");
    REQUIRE(v.feed(u8(t), t.size()));
    CHECK_FALSE(v.complete());
    v.reset();
    CHECK(v.complete());
    Bytes a = "ok";
    CHECK(v.feed(u8(a), a.size()));
    CHECK(v.complete());
}
