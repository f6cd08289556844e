// Client core <-> server core in memory (connection.hpp, both roles): each
// one's output pumped into the other's input, in chunks and whole.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "driver.hpp"

using namespace vws_test;
using vws::EventType;
using vws::Fault;
using vws::State;

namespace {

// Deterministic, varied, never zero: so masked bytes differ from plain ones.
class CountingKeys : public vws::MaskKeySource {
public:
    vws::MaskKey next_mask_key() override {
        ++count;
        return 0x9e3779b9u * count | 0x01010101u;
    }
    unsigned count = 0;
};

vws::ClientRequest client_request() {
    vws::ClientRequest r;
    r.host = "127.0.0.1:8080";
    r.target = "/echo?x=1";
    r.key = "dGhlIHNhbXBsZSBub25jZQ==";
    r.protocols = {"chat", "superchat"};
    r.headers = {{"Origin", "http://localhost"}};
    return r;
}

// A connected pair: the server accepts with `protocol`.
struct Pair {
    CountingKeys keys;
    vws::Connection server;
    vws::Connection client;
    Peer s, c;
    size_t chunk;
    explicit Pair(size_t chunk_ = 0, const vws::Limits& limits = {}, std::string protocol = "chat")
        : server(limits), client(limits, client_request(), keys), s(server), c(client), chunk(chunk_) {
        s.protocol = std::move(protocol);
        pump(c, s, chunk);
    }
    // The bytes the client sends for the next call, as frames.
    WireFrames client_frames_since(size_t from) const {
        return parse_wire_frames(std::string_view(c.out).substr(from));
    }
};

} // namespace

TEST_CASE("loopback: handshake") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Pair p(chunk);
        CHECK(summary(p.s.events) == "request");
        CHECK(summary(p.c.events) == "upgraded");
        CHECK(p.server.state() == State::open);
        CHECK(p.client.state() == State::open);
        CHECK(p.client.role() == vws::Role::client);
        CHECK(p.server.role() == vws::Role::server);
        CHECK(p.server.request().path == "/echo");
        CHECK(p.server.request().query == "x=1");
        CHECK(p.server.request().host == "127.0.0.1:8080");
        REQUIRE(p.server.request().header("origin") != nullptr);
        CHECK(p.client.response().status == 101);
        CHECK(p.client.response().protocol == "chat");
    }
}

TEST_CASE("loopback: text and binary both ways; client frames are masked") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Pair p(chunk);
        size_t mark = p.c.out.size();
        p.client.send_text("Hello, server");
        Bytes bin = pattern(300);
        p.client.send_message(vws::Opcode::binary, u8(bin), bin.size());
        pump(p.c, p.s, chunk);
        CHECK(summary(p.s.events, 1) == "text, binary");
        REQUIRE(p.s.events.size() == 3);
        CHECK(p.s.events[1].data == "Hello, server");
        CHECK(p.s.events[2].data == bin);

        // On the wire: mask bit set, key present, payload not in the clear.
        std::string wire = p.c.out.substr(mark);
        REQUIRE(wire.size() >= 6);
        CHECK((static_cast<uint8_t>(wire[1]) & 0x80) != 0);
        CHECK(wire.find("Hello, server") == std::string::npos);
        auto f = p.client_frames_since(mark);
        CHECK(f.ok);
        REQUIRE(f.frames.size() == 2);
        for (const auto& fr : f.frames) CHECK(fr.masked);
        CHECK(f.frames[0].payload == "Hello, server");
        CHECK(f.frames[1].payload == bin);
        CHECK(p.keys.count >= 2);   // a key per frame

        size_t smark = p.s.out.size();
        p.server.send_text("Hello, client");
        p.server.send_message(vws::Opcode::binary, u8(bin), bin.size());
        pump(p.s, p.c, chunk);
        CHECK(summary(p.c.events, 1) == "text, binary");
        REQUIRE(p.c.events.size() == 3);
        CHECK(p.c.events[1].data == "Hello, client");
        CHECK(p.c.events[2].data == bin);
        auto sf = parse_wire_frames(std::string_view(p.s.out).substr(smark));
        REQUIRE(sf.frames.size() == 2);
        for (const auto& fr : sf.frames) CHECK_FALSE(fr.masked);
    }
}

TEST_CASE("loopback: 1 MiB messages both ways") {
    for (size_t chunk : {size_t(0), size_t(1000), size_t(65537)}) {
        CAPTURE(chunk);
        Pair p(chunk);
        Bytes big = pattern(1 << 20, 3);
        std::string text(1 << 20, 'x');
        for (size_t i = 0; i < text.size(); i += 997) text.replace(i, 2, "\xc3\xa9");
        p.client.send_message(vws::Opcode::binary, u8(big), big.size());
        p.client.send_message(vws::Opcode::text, u8(text), text.size());
        p.server.send_message(vws::Opcode::binary, u8(big), big.size());
        pump(p.c, p.s, chunk);
        CHECK(summary(p.s.events, 1) == "binary, text");
        CHECK(summary(p.c.events, 1) == "binary");
        REQUIRE(p.s.events.size() == 3);
        CHECK(p.s.events[1].data == big);
        CHECK(p.s.events[2].data == text);
        REQUIRE(p.c.events.size() == 2);
        CHECK(p.c.events[1].data == big);
    }
}

TEST_CASE("loopback: ping and pong") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Pair p(chunk);
        p.client.send_ping(u8(std::string_view("c-ping")), 6);
        p.server.send_ping(u8(std::string_view("s-ping")), 6);
        pump(p.c, p.s, chunk);
        CHECK(summary(p.s.events, 1) == "ping, pong");
        CHECK(summary(p.c.events, 1) == "ping, pong");
        REQUIRE(p.s.events.size() == 3);
        REQUIRE(p.c.events.size() == 3);
        CHECK(p.s.events[1].data == "c-ping");
        CHECK(p.s.events[2].data == "s-ping");
        CHECK(p.c.events[1].data == "s-ping");
        CHECK(p.c.events[2].data == "c-ping");
    }
}

TEST_CASE("loopback: close handshake started by either side") {
    for (bool client_first : {true, false})
        for (size_t chunk : chunkings) {
            CAPTURE(client_first); CAPTURE(chunk);
            Pair p(chunk);
            vws::Connection& first = client_first ? p.client : p.server;
            Peer& closer = client_first ? p.c : p.s;
            Peer& other = client_first ? p.s : p.c;
            first.send_text("bye soon");
            first.close(1000, "done");
            CHECK(first.state() == State::closing);
            pump(p.c, p.s, chunk);
            CHECK(summary(other.events, 1) == "text, close");
            CHECK(summary(closer.events, 1) == "close");
            REQUIRE(other.events.size() == 3);
            CHECK(other.events[2].code == 1000);
            CHECK(other.events[2].data == "done");
            REQUIRE(closer.events.size() == 2);
            CHECK(closer.events[1].code == 1000);
            CHECK(p.client.state() == State::closed);
            CHECK(p.server.state() == State::closed);
            CHECK(p.client.close_code_sent() == 1000);
            CHECK(p.server.close_code_sent() == 1000);
            CHECK(p.client.close_code_received() == 1000);
            CHECK(p.server.close_code_received() == 1000);
        }
}

TEST_CASE("loopback: subprotocol none when the server picks none") {
    Pair p(0, {}, "");
    CHECK(p.client.state() == State::open);
    CHECK(p.client.response().protocol.empty());
}

TEST_CASE("loopback: a masked server frame fails the client with 1002") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Pair p(chunk);
        size_t mark = p.c.out.size();
        p.c.feed(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), chunk);
        CHECK(summary(p.c.events, 1) == "failed:masked_server_frame");
        CHECK(p.client.fault() == Fault::masked_server_frame);
        CHECK(p.client.close_code_sent() == 1002);
        CHECK(p.client.state() == State::failed);
        auto f = parse_wire_frames(std::string_view(p.c.out).substr(mark));
        REQUIRE_FALSE(f.frames.empty());
        CHECK(f.frames.back().opcode == 0x8);
        CHECK(f.frames.back().masked);   // the client's close is masked too
        CHECK(code_of(f.frames.back().payload) == 1002);
    }
}

TEST_CASE("loopback: client handshake failures") {
    struct ClientCase { std::string name; std::string response; Fault fault; };
    const std::vector<ClientCase> cases = {
        {"403", "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", Fault::handshake_refused},
        {"wrong accept key",
         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: t3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
         Fault::bad_accept_key},
        {"garbage", "SSH-2.0-OpenSSH\r\n\r\n", Fault::bad_response},
    };
    for (const auto& cc : cases)
        for (size_t chunk : chunkings) {
            CAPTURE(cc.name); CAPTURE(chunk);
            CountingKeys keys;
            vws::Connection client(vws::Limits{}, client_request(), keys);
            Peer c(client);
            c.take_output();
            CHECK(c.out.rfind("GET /echo?x=1 HTTP/1.1\r\n", 0) == 0);
            c.feed(cc.response, chunk);
            CHECK(summary(c.events) == std::string("failed:") + vws::fault_name(cc.fault));
            CHECK(client.fault() == cc.fault);
            CHECK(client.state() == State::failed);
        }
    // The accepted response with frames right behind it in the same read.
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        CountingKeys keys;
        vws::Connection client(vws::Limits{}, client_request(), keys);
        Peer c(client);
        std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        c.feed(resp + hex("81 05 48 65 6c 6c 6f"), chunk);
        CHECK(summary(c.events) == "upgraded, text");
        REQUIRE(c.events.size() == 2);
        CHECK(c.events[1].data == "Hello");
    }
}
