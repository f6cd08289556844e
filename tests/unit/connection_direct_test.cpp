// Large frames: read straight into the message buffer, and an echo that
// hands that buffer to the output without a copy (connection.cpp). Checked
// byte for byte at read sizes that cut the frames at many places.
#include <doctest/doctest.h>

#include "driver.hpp"

using namespace vws_test;

namespace {

// A server connection that echoes every message, fed `wire` `chunk` bytes at
// a time (0: as much as input_space() takes); returns its output after the 101.
struct EchoRun {
    std::vector<Ev> events;
    Bytes out;
};

EchoRun echo_run(const Bytes& wire, size_t chunk, size_t ack_chunk = 0)
{
    vws::Connection conn(vws::Limits{});
    EchoRun r;
    auto pump = [&] {
        for (vws::Event e = conn.next_event(); e.type != vws::EventType::none; e = conn.next_event()) {
            r.events.push_back({e.type, Bytes(reinterpret_cast<const char*>(e.data), e.size), e.code, e.fault});
            if (e.type == vws::EventType::request) conn.accept();
            if (e.type == vws::EventType::text || e.type == vws::EventType::binary)
                conn.send_message(e.type == vws::EventType::text ? vws::Opcode::text : vws::Opcode::binary,
                                  e.data, e.size);
        }
        // Acknowledge output in pieces, so later echoes find it not yet empty.
        while (conn.output_size() > 0) {
            auto o = conn.output();
            const size_t n = ack_chunk ? std::min(ack_chunk, o.size()) : o.size();
            r.out.append(reinterpret_cast<const char*>(o.data()), n);
            conn.sent(n);
            if (ack_chunk) break;
        }
    };
    size_t pos = 0;
    while (pos < wire.size()) {
        auto space = conn.input_space();
        if (space.empty()) break;
        size_t n = std::min(space.size(), wire.size() - pos);
        if (chunk) n = std::min(n, chunk);
        std::memcpy(space.data(), wire.data() + pos, n);
        conn.received(n);
        pos += n;
        pump();
    }
    for (int i = 0; i < 100000 && conn.output_size() > 0; ++i) pump();
    const size_t head = r.out.find("\r\n\r\n");
    r.out = head == Bytes::npos ? Bytes() : r.out.substr(head + 4);
    return r;
}

} // namespace

TEST_CASE("large frames: echoed byte for byte at every read size")
{
    const Bytes text(200 * 1024, 'a');
    Bytes utf8;
    while (utf8.size() < 70 * 1024) utf8 += "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x";  // é € 😀 x
    const Bytes binary = pattern(1 << 20, 3);
    const Bytes wire = request + cframe(0x81, text) + cframe(0x82, binary) + cframe(0x81, utf8) +
                       cframe(0x02, Bytes(binary, 0, 40000)) + cframe(0x80, Bytes(binary, 40000, 30000)) +
                       cframe(0x88, close_payload(1000));
    for (size_t chunk : {size_t(0), size_t(7), size_t(4096), size_t(65539), size_t(300000)}) {
        for (size_t ack : {size_t(0), size_t(1000)}) {
            CAPTURE(chunk);
            CAPTURE(ack);
            const EchoRun r = echo_run(wire, chunk, ack);
            const WireFrames f = parse_wire_frames(r.out);
            REQUIRE(f.ok);
            REQUIRE(f.frames.size() == 5);
            CHECK(f.frames[0].opcode == 1);
            CHECK(f.frames[0].payload == text);
            CHECK(f.frames[1].opcode == 2);
            CHECK(f.frames[1].payload == binary);
            CHECK(f.frames[2].payload == utf8);
            CHECK(f.frames[3].opcode == 2);
            CHECK(f.frames[3].payload == Bytes(binary, 0, 70000));
            CHECK(f.frames[4].opcode == 8);
            for (const WireFrame& w : f.frames) CHECK_FALSE(w.masked);
        }
    }
}

TEST_CASE("large frames: invalid UTF-8 deep in a large text frame fails with 1007 at every read size")
{
    Bytes text(40 * 1024, 'b');
    text[30000] = '\xc0';  // an overlong lead byte
    const Bytes wire = request + cframe(0x81, text);
    for (size_t chunk : {size_t(0), size_t(7), size_t(4096), size_t(65539)}) {
        CAPTURE(chunk);
        const EchoRun r = echo_run(wire, chunk);
        REQUIRE_FALSE(r.events.empty());
        CHECK(r.events.back().type == vws::EventType::failed);
        CHECK(r.events.back().fault == vws::Fault::bad_utf8);
        const WireFrames f = parse_wire_frames(r.out);
        REQUIRE(f.frames.size() == 1);
        CHECK(code_of(f.frames[0].payload) == 1007);
    }
}
