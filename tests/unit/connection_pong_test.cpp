// Pongs under a Ping flood (connection_send.cpp, RFC 6455 §5.5.3): at most
// one Pong held and one in the output, the answer carries the latest Ping,
// and mixed with messages and the Close the output stays whole frames in a
// valid order, as the client core reads it back.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "driver.hpp"

using namespace vws_test;
using vws::EventType;

namespace {

// A 125-byte Ping payload that names its index.
Bytes ping_payload(size_t i)
{
    Bytes p = pattern(125, static_cast<unsigned>(i));
    const std::string tag = "ping " + std::to_string(i) + ";";
    p.replace(0, tag.size(), tag);
    return p;
}

constexpr size_t pong_frame_size = 2 + 125;  // server: no mask

// A server connection past the handshake, fed client frames; messages are
// echoed; output is only taken when the test says so.
struct Server {
    vws::Connection conn{vws::Limits{}};
    std::vector<Ev> events;
    Bytes out;  // taken from output() so far, after the 101

    Server()
    {
        feed(request);
        take(SIZE_MAX);
        out.clear();
    }
    void feed(std::string_view s)
    {
        size_t pos = 0;
        while (pos < s.size()) {
            auto space = conn.input_space();
            REQUIRE_FALSE(space.empty());
            const size_t n = std::min(space.size(), s.size() - pos);
            std::memcpy(space.data(), s.data() + pos, n);
            conn.received(n);
            pos += n;
            for (vws::Event e = conn.next_event(); e.type != EventType::none; e = conn.next_event()) {
                events.push_back({e.type, Bytes(reinterpret_cast<const char*>(e.data), e.size), e.code, e.fault});
                if (e.type == EventType::request) conn.accept();
                if (e.type == EventType::text || e.type == EventType::binary)
                    conn.send_message(e.type == EventType::text ? vws::Opcode::text : vws::Opcode::binary,
                                      e.data, e.size);
            }
        }
    }
    // Acknowledges up to n bytes of output, as a driver whose writes are short.
    void take(size_t n)
    {
        while (n > 0 && conn.output_size() > 0) {
            const auto o = conn.output();
            const size_t k = std::min(n, o.size());
            out.append(reinterpret_cast<const char*>(o.data()), k);
            conn.sent(k);
            n -= k;
        }
    }
};

// Feeds `wire` (the frames a server sent) to a fresh client core after a 101,
// and returns its events: what a real peer makes of that output.
std::vector<Ev> client_reads(const Bytes& wire)
{
    struct Keys : vws::MaskKeySource {
        vws::MaskKey next_mask_key() override { return 0x01020304; }
    } keys;
    vws::ClientRequest req;
    req.host = "server.example.com";
    req.target = "/chat";
    req.key = "dGhlIHNhbXBsZSBub25jZQ==";
    vws::Connection client(vws::Limits{}, req, keys);
    Peer peer(client);
    peer.take_output();
    const Bytes head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    peer.feed(head + wire, 0);
    return peer.events;
}

} // namespace

TEST_CASE("pong: a flood of 10 000 Pings from a peer that does not read holds one Pong")
{
    Server s;
    s.feed(cframe(0x89, ping_payload(0)));   // answered at once: the output was empty
    REQUIRE(s.conn.output_size() == pong_frame_size);
    s.take(10);                              // a driver wrote part of it
    for (size_t i = 1; i <= 10000; ++i) {
        s.feed(cframe(0x89, ping_payload(i)));
        // The started Pong's rest, nothing more: the latest Ping is held.
        REQUIRE(s.conn.output_size() == pong_frame_size - 10);
    }
    CHECK(s.events.size() == 1 + 10001);  // request, then every Ping is still an event
    s.take(SIZE_MAX);                     // the peer reads again
    const auto f = parse_wire_frames(s.out);
    REQUIRE(f.ok);
    REQUIRE(f.frames.size() == 2);
    CHECK(f.frames[0].opcode == 0xA);
    CHECK(f.frames[0].payload == ping_payload(0));      // the started one, completed
    CHECK(f.frames[1].opcode == 0xA);
    CHECK(f.frames[1].payload == ping_payload(10000));  // the latest Ping's payload
    CHECK(s.conn.output_size() == 0);
}

TEST_CASE("pong: a Ping while a large message is unsent is answered once it is written")
{
    Server s;
    const Bytes big = pattern(200000);
    s.feed(cframe(0x82, big));
    const size_t echo_size = s.conn.output_size();
    for (size_t i = 0; i < 50; ++i) s.feed(cframe(0x89, ping_payload(i)));
    CHECK(s.conn.output_size() == echo_size);  // no Pong queued behind it yet
    s.take(echo_size - 1);
    CHECK(s.conn.output_size() == 1);          // the message's last byte: frames stay whole
    s.take(1);
    CHECK(s.conn.output_size() == pong_frame_size);
    s.take(SIZE_MAX);
    const auto f = parse_wire_frames(s.out);
    REQUIRE(f.ok);
    REQUIRE(f.frames.size() == 2);
    CHECK(f.frames[0].payload == big);
    CHECK(f.frames[1].opcode == 0xA);
    CHECK(f.frames[1].payload == ping_payload(49));
}

TEST_CASE("pong: a held Pong goes before the next message and before our Close, never after it")
{
    Server s;
    s.feed(cframe(0x81, "first"));  // output not empty from here on
    s.feed(cframe(0x89, ping_payload(1)) + cframe(0x89, ping_payload(2)));
    s.feed(cframe(0x81, "second"));
    s.feed(cframe(0x89, ping_payload(3)));
    s.conn.close(1001, "bye");
    s.feed(cframe(0x89, ping_payload(4)));  // after our Close: not answered
    s.take(SIZE_MAX);
    const auto f = parse_wire_frames(s.out);
    REQUIRE(f.ok);
    std::vector<std::string> seen;
    for (const auto& fr : f.frames)
        seen.push_back(fr.opcode == 0xA ? fr.payload.substr(0, fr.payload.find(';')) : fr.payload.substr(0, 6));
    CHECK(seen == std::vector<std::string>{"first", "ping 2", "second", "ping 3", close_payload(1001, "bye").substr(0, 6)});
}

TEST_CASE("pong: a fault while a Pong is held sends it, then the Close, then nothing")
{
    Server s;
    s.feed(cframe(0x81, "x"));
    s.feed(cframe(0x89, ping_payload(7)));
    s.feed(frame(0x81, "unmasked", false));  // §5.1: a client frame must be masked
    s.take(SIZE_MAX);
    const auto f = parse_wire_frames(s.out);
    REQUIRE(f.ok);
    REQUIRE(f.frames.size() == 3);
    CHECK(f.frames[1].payload == ping_payload(7));
    CHECK(f.frames[2].opcode == 0x8);
    CHECK(code_of(f.frames[2].payload) == 1002);
}

// Pings, messages and a Close in every order a generator makes, with output
// taken in pieces of many sizes at many moments: the output must read back
// (client core) as the echoes in order, Pongs only for Pings already received,
// in order, the latest one answered, and the Close last.
TEST_CASE("pong: interleavings with messages and the Close read back as valid frames")
{
    for (size_t ack : {size_t(1), size_t(3), size_t(50), size_t(130), size_t(1000), SIZE_MAX}) {
        for (unsigned seed = 1; seed <= 20; ++seed) {
            CAPTURE(ack);
            CAPTURE(seed);
            Server s;
            std::vector<std::string> messages;
            std::vector<size_t> pings_before;  // per message: Pings received before it
            size_t pings = 0;
            unsigned x = seed;
            for (int step = 0; step < 60; ++step) {
                x = x * 1103515245u + 12345u;
                const unsigned r = (x >> 16) % 10;
                if (r < 5) {
                    s.feed(cframe(0x89, ping_payload(pings++)));
                } else if (r < 8) {
                    const std::string m = "message " + std::to_string(messages.size()) +
                                          std::string((x >> 8) % 300, '.');
                    messages.push_back(m);
                    pings_before.push_back(pings);
                    s.feed(cframe(0x81, m));
                } else {
                    s.take((x >> 4) % 2 ? ack : 0);
                }
            }
            const size_t last_ping = pings - 1;
            if (pings == 0) continue;
            s.feed(cframe(0x88, close_payload(1000)));
            s.take(SIZE_MAX);

            const auto evs = client_reads(s.out);
            std::vector<std::string> texts;
            long last_pong = -1;
            bool after_close = false;
            for (const auto& e : evs) {
                CHECK_FALSE(after_close);
                if (e.type == EventType::text) {
                    // Never later than a Pong per Ping: answered before the
                    // echo of any message that came after the Ping.
                    const size_t before = pings_before.at(texts.size());
                    if (before > 0) CHECK(last_pong >= static_cast<long>(before) - 1);
                    texts.push_back(e.data);
                }
                if (e.type == EventType::pong) {
                    const long i = std::stol(e.data.substr(5));
                    CHECK(e.data == ping_payload(static_cast<size_t>(i)));
                    CHECK(i > last_pong);
                    last_pong = i;
                }
                if (e.type == EventType::close) {
                    CHECK(e.code == 1000);
                    after_close = true;
                }
                CHECK(e.type != EventType::failed);
            }
            CHECK(after_close);
            CHECK(texts == messages);
            CHECK(last_pong == static_cast<long>(last_ping));
        }
    }
}
