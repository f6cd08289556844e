// Stream framing (stream_framing.hpp): messages over a child's byte streams
// in line, raw and netstring form. Every decoder vector is also fed split at
// every offset and byte by byte; encode_message round-trips through the decoder.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "vws/stream_framing.hpp"

using namespace vws_test;
using vws::Framing;
using vws::StreamDecoder;
using Status = StreamDecoder::Status;

namespace {

// What a decoder made of a stream: messages, then how it stopped.
struct Decoded {
    std::vector<std::string> messages;
    Status end = Status::none;  // too_big or malformed when it stopped on one
};

void pull(StreamDecoder& d, Decoded& out) {
    for (int guard = 0; guard < 100000; ++guard) {
        if (out.end != Status::none) return;
        const StreamDecoder::Item it = d.next();
        if (it.status == Status::none) return;
        if (it.status == Status::message)
            out.messages.emplace_back(reinterpret_cast<const char*>(it.data), it.size);
        else
            out.end = it.status;
    }
    FAIL("next() never returned none");
}

void feed(StreamDecoder& d, std::string_view s, Decoded& out) {
    size_t pos = 0;
    while (pos < s.size() && out.end == Status::none) {
        auto space = d.input_space();
        REQUIRE_FALSE(space.empty());
        const size_t n = std::min(space.size(), s.size() - pos);
        std::memcpy(space.data(), s.data() + pos, n);
        d.received(n);
        pos += n;
        pull(d, out);
    }
}

// Feeds `pieces` one after another, then finish() when at_eof.
Decoded decode(Framing f, uint64_t max, const std::vector<std::string_view>& pieces, bool at_eof = true) {
    StreamDecoder d(f, max);
    Decoded out;
    for (std::string_view p : pieces) feed(d, p, out);
    if (at_eof && out.end == Status::none) {
        for (int guard = 0; guard < 100000; ++guard) {
            const StreamDecoder::Item it = d.finish();
            if (it.status == Status::none) break;
            if (it.status != Status::message) {
                out.end = it.status;
                break;
            }
            out.messages.emplace_back(reinterpret_cast<const char*>(it.data), it.size);
        }
    }
    return out;
}

struct Vector {
    const char* name;
    Framing framing;
    uint64_t max;
    std::string input;
    std::vector<std::string> messages;
    Status end;
};

// One vector whole, split in two at every offset, and byte by byte: the same answer.
void check_vector(const Vector& v) {
    const std::string name = v.name;
    CAPTURE(name);
    auto same = [&](const Decoded& d) {
        CHECK(d.messages == v.messages);
        CHECK(static_cast<int>(d.end) == static_cast<int>(v.end));
    };
    same(decode(v.framing, v.max, {v.input}));
    for (size_t cut = 0; cut <= v.input.size(); ++cut) {
        CAPTURE(cut);
        same(decode(v.framing, v.max, {std::string_view(v.input).substr(0, cut), std::string_view(v.input).substr(cut)}));
    }
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < v.input.size(); ++i) bytes.push_back(std::string_view(v.input).substr(i, 1));
    same(decode(v.framing, v.max, bytes));
}

const uint64_t big = 64u << 20;

} // namespace

TEST_CASE("stream_framing: line") {
    const std::vector<Vector> vectors = {
        {"one line", Framing::line, big, "hello\n", {"hello"}, Status::none},
        {"LF and CRLF", Framing::line, big, "a\nb\r\nc\n", {"a", "b", "c"}, Status::none},
        {"empty lines", Framing::line, big, "\n\r\n\n", {"", "", ""}, Status::none},
        {"a lone CR inside a line is kept", Framing::line, big, "x\ry\n", {"x\ry"}, Status::none},
        {"only the last CR is dropped", Framing::line, big, "x\r\r\n", {"x\r"}, Status::none},
        {"the last line without newline at finish", Framing::line, big, "first\r\nlast", {"first", "last"}, Status::none},
        {"a last lone CR without newline is kept", Framing::line, big, "a\nb\r", {"a", "b\r"}, Status::none},
        {"binary bytes pass", Framing::line, big, std::string("\0\xff\n", 3), {std::string("\0\xff", 2)}, Status::none},
        {"nothing", Framing::line, big, "", {}, Status::none},
        {"a line of exactly max", Framing::line, 4, "abcd\nefgh", {"abcd", "efgh"}, Status::none},
        {"a line one over max", Framing::line, 4, "ab\nabcde\nx\n", {"ab"}, Status::too_big},
        {"a long line with no newline yet is too_big before its end", Framing::line, 4, "ok\nabcdefgh",
         {"ok"}, Status::too_big},
        {"a last line over max at finish", Framing::line, 4, "ok\nabcde", {"ok"}, Status::too_big},
    };
    for (const auto& v : vectors) check_vector(v);
}

TEST_CASE("stream_framing: a line of exactly max plus CRLF is a message however the CR and LF arrive") {
    // The limit counts the line without its CRLF (as when both arrive in one
    // read); the answer must not depend on where the reads split the stream.
    check_vector({"max counts the line without its CRLF", Framing::line, 4, "abcd\r\nef\n", {"abcd", "ef"},
                  Status::none});
}

TEST_CASE("stream_framing: line over max is found without the newline (bounded buffering)") {
    StreamDecoder d(Framing::line, 1000);
    Decoded out;
    feed(d, std::string(1001, 'x'), out);
    CHECK(static_cast<int>(out.end) == static_cast<int>(Status::too_big));
    CHECK(out.messages.empty());
    CHECK(d.buffered() <= 1001);
}

TEST_CASE("stream_framing: raw") {
    const std::vector<Vector> raw = {
        {"bytes", Framing::raw, big, std::string("a\nb\0c", 5), {}, Status::none},
        {"nothing", Framing::raw, big, "", {}, Status::none},
    };
    // Raw keeps no boundaries: whatever is read is one message, so compare the concatenation.
    const std::string input = pattern(300);
    for (size_t cut = 0; cut <= input.size(); ++cut) {
        CAPTURE(cut);
        Decoded d = decode(Framing::raw, big, {std::string_view(input).substr(0, cut), std::string_view(input).substr(cut)});
        CHECK(d.end == Status::none);
        std::string all;
        for (const auto& m : d.messages) {
            CHECK_FALSE(m.empty());
            all += m;
        }
        CHECK(all == input);
    }
    Decoded whole = decode(Framing::raw, big, {raw[0].input});
    CHECK(whole.messages == std::vector<std::string>{raw[0].input});
    CHECK(decode(Framing::raw, big, {""}).messages.empty());
}

TEST_CASE("stream_framing: raw cuts at max_message") {
    Decoded d = decode(Framing::raw, 4, {"abcdefghij"});
    CHECK(d.messages == std::vector<std::string>{"abcd", "efgh", "ij"});
    CHECK(d.end == Status::none);
}

TEST_CASE("stream_framing: netstring") {
    const std::vector<Vector> vectors = {
        {"one", Framing::netstring, big, "5:hello,", {"hello"}, Status::none},
        {"several, empty and binary", Framing::netstring, big, std::string("0:,3:a\nb,2:\0\xff,", 14),
         {"", "a\nb", std::string("\0\xff", 2)}, Status::none},
        {"a comma and colon inside", Framing::netstring, big, "3:,:,,", {",:,"}, Status::none},
        {"ten bytes", Framing::netstring, big, "10:0123456789,", {"0123456789"}, Status::none},
        {"nothing", Framing::netstring, big, "", {}, Status::none},
        {"leading zero", Framing::netstring, big, "1:a,05:hello,", {"a"}, Status::malformed},
        {"two zeros", Framing::netstring, big, "00:,", {}, Status::malformed},
        {"bad terminator", Framing::netstring, big, "1:a,5:hello;", {"a"}, Status::malformed},
        {"no terminator: the next netstring's digit", Framing::netstring, big, "1:ab:x,", {}, Status::malformed},
        {"no length", Framing::netstring, big, ":,", {}, Status::malformed},
        {"not a digit", Framing::netstring, big, "x:,", {}, Status::malformed},
        {"a sign", Framing::netstring, big, "-1:a,", {}, Status::malformed},
        {"space before the colon", Framing::netstring, big, "1 :a,", {}, Status::malformed},
        {"partial at EOF", Framing::netstring, big, "2:ok,5:hel", {"ok"}, Status::malformed},
        {"only digits at EOF", Framing::netstring, big, "2:ok,12", {"ok"}, Status::malformed},
        {"exactly max", Framing::netstring, 5, "5:hello,", {"hello"}, Status::none},
        {"one over max", Framing::netstring, 5, "2:ok,6:hello!,", {"ok"}, Status::too_big},
        {"a length over max, digits only", Framing::netstring, 5, "2:ok,99", {"ok"}, Status::too_big},
    };
    for (const auto& v : vectors) check_vector(v);
}

TEST_CASE("stream_framing: a netstring over max is refused from its header, before its payload is buffered") {
    StreamDecoder d(Framing::netstring, 1000);
    Decoded out;
    feed(d, "1001:", out);
    CHECK(static_cast<int>(out.end) == static_cast<int>(Status::too_big));
    // A huge declared length is refused at the digit that passes the limit.
    StreamDecoder d2(Framing::netstring, big);
    Decoded out2;
    feed(d2, "999999999999", out2);
    CHECK(static_cast<int>(out2.end) == static_cast<int>(Status::too_big));
    CHECK(d2.buffered() <= 12);
}

TEST_CASE("stream_framing: a netstring header of 21+ digits without a colon is malformed, not buffered forever") {
    // With a limit that the digits never pass (all zeros after a leading 1 is
    // impossible: leading zeros fail first), use the largest limit.
    StreamDecoder d(Framing::netstring, UINT64_MAX);
    Decoded out;
    feed(d, "1000000000000000000000", out);  // 22 digits: past 2^64 and past the header limit
    CHECK(out.end != Status::none);
    CHECK(out.messages.empty());
}

TEST_CASE("stream_framing: encode_message") {
    auto encoded = [](Framing f, std::string_view payload) {
        vws::ByteBuffer b;
        CHECK(vws::encode_message(f, u8(payload), payload.size(), b));
        return std::string(reinterpret_cast<const char*>(b.data()), b.size());
    };
    CHECK(encoded(Framing::line, "hello") == "hello\n");
    CHECK(encoded(Framing::line, "") == "\n");
    CHECK(encoded(Framing::raw, "hello") == "hello");
    CHECK(encoded(Framing::raw, "") == "");
    CHECK(encoded(Framing::netstring, "hello") == "5:hello,");
    CHECK(encoded(Framing::netstring, "") == "0:,");
    CHECK(encoded(Framing::netstring, std::string(1234, 'z')) == "1234:" + std::string(1234, 'z') + ",");
    // Appends after what is there.
    vws::ByteBuffer b;
    CHECK(vws::encode_message(Framing::netstring, u8("a"), 1, b));
    CHECK(vws::encode_message(Framing::netstring, u8("bc"), 2, b));
    CHECK(std::string(reinterpret_cast<const char*>(b.data()), b.size()) == "1:a,2:bc,");
}

TEST_CASE("stream_framing: encode then decode round-trips, split at every offset") {
    const std::vector<std::string> payloads = {"", "a", std::string("\0,:\n\r9", 6), pattern(200), "last"};
    vws::ByteBuffer b;
    for (const auto& p : payloads) CHECK(vws::encode_message(Framing::netstring, u8(p), p.size(), b));
    const std::string ns(reinterpret_cast<const char*>(b.data()), b.size());
    check_vector({"netstring round trip", Framing::netstring, big, ns, payloads, Status::none});

    const std::vector<std::string> lines = {"", "one", "two words", "tab\there"};
    vws::ByteBuffer lb;
    for (const auto& p : lines) CHECK(vws::encode_message(Framing::line, u8(p), p.size(), lb));
    const std::string ls(reinterpret_cast<const char*>(lb.data()), lb.size());
    check_vector({"line round trip", Framing::line, big, ls, lines, Status::none});
}

TEST_CASE("stream_framing: large input across several reads") {
    // Three 100 KB netstrings: more than one input block each.
    std::string input;
    std::vector<std::string> want;
    for (unsigned seed : {1u, 2u, 3u}) {
        want.push_back(pattern(100000, seed));
        input += "100000:" + want.back() + ",";
    }
    Decoded d = decode(Framing::netstring, big, {input});
    CHECK(d.messages == want);
    CHECK(d.end == Status::none);
    std::string lines;
    for (int i = 0; i < 3; ++i) lines += std::string(100000, static_cast<char>('a' + i)) + "\n";
    Decoded l = decode(Framing::line, big, {lines});
    REQUIRE(l.messages.size() == 3);
    CHECK(l.messages[2] == std::string(100000, 'c'));
}

TEST_CASE("stream_framing: parse_framing and framing_name") {
    Framing f = Framing::raw;
    CHECK(vws::parse_framing("line", f));
    CHECK(f == Framing::line);
    CHECK(vws::parse_framing("netstring", f));
    CHECK(f == Framing::netstring);
    CHECK(vws::parse_framing("raw", f));
    CHECK(f == Framing::raw);
    CHECK_FALSE(vws::parse_framing("binary", f));
    CHECK_FALSE(vws::parse_framing("", f));
    CHECK(std::string(vws::framing_name(Framing::netstring)) == "netstring");
}
