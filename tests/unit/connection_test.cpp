// The server-role Connection (connection.hpp): handshake, messages, control
// frames, the close handshake and handshake failures; protocol violations are
// in connection_fault_test.cpp. Every case runs with the input cut in chunks
// of 1, 2, 3, 7 bytes and whole (driver.hpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "driver.hpp"

using namespace vws_test;
using vws::EventType;
using vws::Fault;
using vws::State;

TEST_CASE("connection: handshake then the RFC's masked Hello") {
    for (size_t chunk : chunkings)
        for (size_t out_chunk : {size_t(0), size_t(5)}) {
            CAPTURE(chunk); CAPTURE(out_chunk);
            Run r({}, rfc_masked_hello, chunk, out_chunk);
            CHECK(summary(r.peer.events) == "request, text");
            REQUIRE(r.peer.events.size() == 2);
            CHECK(r.peer.events[1].data == "Hello");
            CHECK(r.conn.request().path == "/chat");
            CHECK(r.conn.request().query == "room=1");
            CHECK(r.conn.state() == State::open);
            CHECK(r.peer.head().rfind("HTTP/1.1 101 ", 0) == 0);
            CHECK(r.peer.head().find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
            CHECK(r.peer.frames().frames.empty());
            CHECK(r.conn.output_size() == 0);
        }
}

TEST_CASE("connection: fragmented text with a ping between the fragments") {
    std::string frames = cframe(0x01, "Hel") + cframe(0x89, "ping!") + cframe(0x80, "lo");
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Run r({}, frames, chunk);
        CHECK(summary(r.peer.events) == "request, ping, text");
        REQUIRE(r.peer.events.size() == 3);
        CHECK(r.peer.events[1].data == "ping!");
        CHECK(r.peer.events[2].data == "Hello");
        auto f = r.peer.frames();
        CHECK(f.ok);
        REQUIRE(f.frames.size() == 1);
        CHECK(f.frames[0].opcode == 0xA);
        CHECK(f.frames[0].fin);
        CHECK_FALSE(f.frames[0].masked);
        CHECK(f.frames[0].payload == "ping!");
    }
}

TEST_CASE("connection: messages of many shapes") {
    struct MsgCase { std::string name; std::string frames; std::string events; std::vector<std::string> payloads; };
    Bytes big = pattern(70000);
    const std::vector<MsgCase> cases = {
        {"three texts in a row", cframe(0x81, "a") + cframe(0x81, "bc") + cframe(0x81, ""),
         "request, text, text, text", {"a", "bc", ""}},
        {"empty fragments", cframe(0x01, "") + cframe(0x00, "x") + cframe(0x00, "") + cframe(0x80, ""),
         "request, text", {"x"}},
        {"fragmented binary", cframe(0x02, std::string("\x00\x01", 2)) + cframe(0x80, "\xff"), "request, binary",
         {std::string("\x00\x01\xff", 3)}},
        {"UTF-8 split across fragments", cframe(0x01, "\xe2") + cframe(0x00, "\x82") + cframe(0x80, "\xac!"),
         "request, text", {"\xe2\x82\xac!"}},
        {"unsolicited pong", cframe(0x8A, "pong") + cframe(0x81, "t"), "request, pong, text", {"pong", "t"}},
        {"empty ping", cframe(0x89, ""), "request, ping", {""}},
        {"125-byte ping", cframe(0x89, pattern(125)), "request, ping", {pattern(125)}},
        {"ping and pong between fragments",
         cframe(0x02, "ab") + cframe(0x8A, "1") + cframe(0x00, "cd") + cframe(0x89, "2") + cframe(0x80, "ef"),
         "request, pong, ping, binary", {"1", "2", "abcdef"}},
        {"70000-byte text in 3 fragments",
         cframe(0x01, std::string(30000, 'a')) + cframe(0x00, std::string(30000, 'b')) +
             cframe(0x80, std::string(10000, 'c')),
         "request, text", {std::string(30000, 'a') + std::string(30000, 'b') + std::string(10000, 'c')}},
        {"70000-byte binary", cframe(0x82, big), "request, binary", {big}},
    };
    for (const auto& c : cases)
        for (size_t chunk : chunkings) {
            CAPTURE(c.name); CAPTURE(chunk);
            if (c.frames.size() > 10000 && chunk > 1 && chunk < 7) continue;  // time
            Run r({}, c.frames, chunk);
            CHECK(summary(r.peer.events) == c.events);
            REQUIRE(r.peer.events.size() == c.payloads.size() + 1);
            for (size_t i = 0; i < c.payloads.size(); ++i) {
                CAPTURE(i);
                CHECK(r.peer.events[i + 1].data == c.payloads[i]);
            }
            CHECK(r.conn.state() == State::open);
        }
}

TEST_CASE("connection: binary messages of 0, 125, 126, 65535, 65536 bytes") {
    for (size_t n : {size_t(0), size_t(125), size_t(126), size_t(65535), size_t(65536)})
        for (size_t chunk : chunkings) {
            CAPTURE(n); CAPTURE(chunk);
            Bytes p = pattern(n, static_cast<unsigned>(n));
            Run r({}, cframe(0x82, p), chunk);
            CHECK(summary(r.peer.events) == "request, binary");
            REQUIRE(r.peer.events.size() == 2);
            CHECK(r.peer.events[1].data.size() == n);
            CHECK(r.peer.events[1].data == p);
        }
}

TEST_CASE("connection: allowed close codes close cleanly") {
    for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                          3000, 3999, 4000, 4999})
        for (size_t chunk : chunkings) {
            CAPTURE(code); CAPTURE(chunk);
            Run r({}, cframe(0x88, close_payload(code, "reason")), chunk);
            CHECK(summary(r.peer.events) == "request, close");
            REQUIRE(r.peer.events.size() == 2);
            CHECK(r.peer.events[1].code == code);
            CHECK(r.peer.events[1].data == "reason");
            CHECK(r.conn.close_code_received() == code);
            CHECK(r.conn.state() == State::closed);
            CHECK(r.conn.ended());
            auto f = r.peer.frames();
            REQUIRE(f.frames.size() == 1);
            CHECK(f.frames[0].opcode == 0x8);
            CHECK_FALSE(f.frames[0].masked);
            uint16_t reply = code_of(f.frames[0].payload);
            CHECK(vws::close_code_allowed_on_wire(reply));
            if (code == 1000) CHECK(reply == 1000);
        }
}

TEST_CASE("connection: peer close 1000 gets close 1000 back") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Run r({}, cframe(0x81, "last") + cframe(0x88, close_payload(1000)), chunk);
        CHECK(summary(r.peer.events) == "request, text, close");
        REQUIRE(r.peer.events.size() == 3);
        CHECK(r.peer.events[2].code == 1000);
        CHECK(r.peer.events[2].data.empty());
        CHECK(r.conn.state() == State::closed);
        CHECK(r.conn.close_code_sent() == 1000);
        auto f = r.peer.frames();
        REQUIRE(f.frames.size() == 1);
        CHECK(to_hex(r.peer.out.substr(r.peer.head().size())) == "88 02 03 e8");
        // Nothing is sent after the close handshake.
        r.conn.send_text("late");
        CHECK(r.conn.output_size() == 0);
    }
}

TEST_CASE("connection: close without a payload reads as 1005, answered with an empty close") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Run r({}, cframe(0x88, ""), chunk);
        CHECK(summary(r.peer.events) == "request, close");
        REQUIRE(r.peer.events.size() == 2);
        CHECK(r.peer.events[1].code == 1005);
        CHECK(r.conn.state() == State::closed);
        CHECK(to_hex(r.peer.out.substr(r.peer.head().size())) == "88 00");
    }
}

TEST_CASE("connection: our close(1001), then the peer's close") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        vws::Connection conn(vws::Limits{});
        Peer p(conn);
        p.feed(request, chunk);
        REQUIRE(conn.state() == State::open);
        conn.close(1001, "going");
        CHECK(conn.state() == State::closing);
        CHECK(conn.close_code_sent() == 1001);
        p.take_output();
        auto f = p.frames();
        REQUIRE(f.frames.size() == 1);
        CHECK(f.frames[0].opcode == 0x8);
        CHECK(f.frames[0].payload == close_payload(1001, "going"));
        // Sends are ignored once our close is out.
        conn.send_text("no");
        CHECK(conn.output_size() == 0);
        // A message the peer sent before it saw our close is still delivered.
        size_t out_before = p.out.size();
        p.feed(cframe(0x81, "in flight") + cframe(0x88, close_payload(1001)), chunk);
        CHECK(summary(p.events) == "request, text, close");
        REQUIRE(p.events.size() == 3);
        CHECK(p.events[1].data == "in flight");
        CHECK(p.events[2].code == 1001);
        CHECK(conn.state() == State::closed);
        CHECK(conn.ended());
        CHECK(p.out.size() == out_before);  // no second close
    }
}

TEST_CASE("connection: close reason is cut to fit a control frame") {
    vws::Connection conn(vws::Limits{});
    Peer p(conn);
    p.feed(request, 0);
    conn.close(1000, std::string(300, 'r'));
    p.take_output();
    auto f = p.frames();
    REQUIRE(f.frames.size() == 1);
    CHECK(f.frames[0].payload.size() <= 125);
    CHECK(f.frames[0].payload.size() >= 2);
    CHECK(code_of(f.frames[0].payload) == 1000);
}

TEST_CASE("connection: a long close reason is cut on a character boundary") {
    std::string reason;
    for (int i = 0; i < 100; ++i) reason += "\xc3\xa9";   // 200 bytes of U+00E9
    vws::Connection conn(vws::Limits{});
    Peer p(conn);
    p.feed(request, 0);
    conn.close(1000, reason);
    p.take_output();
    auto f = p.frames();
    REQUIRE(f.frames.size() == 1);
    const Bytes& body = f.frames[0].payload;
    CHECK(body.size() == 2 + 122);
    CHECK(vws::valid_utf8(u8(body) + 2, body.size() - 2));
}

TEST_CASE("connection: after a failure the server ignores further input") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        vws::Connection conn(vws::Limits{});
        Peer p(conn);
        p.feed(request + frame(0x81, "bad", false), chunk);
        REQUIRE(conn.state() == State::failed);
        size_t events = p.events.size();
        size_t out = p.out.size();
        p.feed(rfc_masked_hello + cframe(0x89, "p") + cframe(0x88, close_payload(1000)), chunk);
        CHECK(p.events.size() == events);
        CHECK(p.out.size() == out);
        CHECK(conn.next_event().type == EventType::none);
        conn.send_text("no");
        conn.close(1000);
        CHECK(conn.output_size() == 0);
        CHECK(conn.state() == State::failed);
        CHECK(conn.close_code_sent() == 1002);
    }
}

TEST_CASE("connection: sends queue unmasked frames") {
    vws::Connection conn(vws::Limits{});
    Peer p(conn);
    conn.send_text("early");   // ignored: not open yet
    CHECK(conn.output_size() == 0);
    p.feed(request, 0);
    conn.send_text("hi");
    Bytes bin = pattern(200);
    conn.send_message(vws::Opcode::binary, u8(bin), bin.size());
    conn.send_ping(u8(std::string_view("pp")), 2);
    conn.send_message(vws::Opcode::binary, nullptr, 0);
    p.take_output();
    std::string after = p.out.substr(p.head().size());
    CHECK(to_hex(after.substr(0, 4)) == "81 02 68 69");
    CHECK(to_hex(after.substr(4, 4)) == "82 7e 00 c8");
    auto f = p.frames();
    CHECK(f.ok);
    REQUIRE(f.frames.size() == 4);
    CHECK(f.frames[1].payload == bin);
    CHECK(f.frames[2].opcode == 0x9);
    CHECK(f.frames[2].payload == "pp");
    CHECK(f.frames[3].opcode == 0x2);
    CHECK(f.frames[3].payload.empty());
    for (const auto& fr : f.frames) CHECK_FALSE(fr.masked);
}

TEST_CASE("connection: handshake failures answer with their HTTP status") {
    struct HsCase { std::string name; std::string req; Fault fault; int status; };
    std::string v8 = request;
    v8.replace(v8.find("Version: 13"), 11, "Version: 8");
    std::string post = request;
    post.replace(0, 3, "PUT");
    const std::vector<HsCase> cases = {
        {"version 8", v8, Fault::unsupported_version, 426},
        {"PUT", post, Fault::method_not_get, 405},
        {"garbage line", "HELLO\r\n\r\n", Fault::bad_request_line, 400},
    };
    for (const auto& c : cases)
        for (size_t chunk : chunkings) {
            CAPTURE(c.name); CAPTURE(chunk);
            vws::Connection conn(vws::Limits{});
            Peer p(conn);
            p.feed(c.req + rfc_masked_hello, chunk);
            CHECK(summary(p.events) == std::string("failed:") + vws::fault_name(c.fault));
            CHECK(conn.fault() == c.fault);
            CHECK(conn.http_status() == c.status);
            CHECK(conn.state() == State::failed);
            CHECK(p.out.rfind("HTTP/1.1 " + std::to_string(c.status) + " ", 0) == 0);
            if (c.status == 426) CHECK(p.out.find("Sec-WebSocket-Version: 13\r\n") != std::string::npos);
        }
}

TEST_CASE("connection: request head over max_head gives head_too_large") {
    vws::Limits limits;
    limits.handshake.max_head = 200;
    std::string long_req = request;
    long_req.insert(long_req.size() - 2, "X-Pad: " + std::string(300, 'p') + "\r\n");
    for (const std::string& in : {long_req, std::string(1000, 'G')})
        for (size_t chunk : chunkings) {
            CAPTURE(chunk);
            vws::Connection conn(limits);
            Peer p(conn);
            p.feed(in, chunk);
            CHECK(summary(p.events) == "failed:head_too_large");
            CHECK(conn.http_status() == 431);
            CHECK(p.out.rfind("HTTP/1.1 431 ", 0) == 0);
        }
    // Exactly max_head bytes, blank line included, is fine.
    vws::Limits exact;
    exact.handshake.max_head = request.size();
    vws::Connection conn(exact);
    Peer p(conn);
    p.feed(request, 1);
    CHECK(summary(p.events) == "request");
}

TEST_CASE("connection: reject after the request") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        vws::Connection conn(vws::Limits{});
        Peer p(conn);
        p.reject_with = Fault::forbidden;
        p.feed(request + rfc_masked_hello, chunk);
        CHECK(summary(p.events) == "request");
        CHECK(conn.state() == State::failed);
        CHECK(conn.http_status() == 403);
        CHECK(p.out.rfind("HTTP/1.1 403 ", 0) == 0);
    }
}

TEST_CASE("connection: accept with a subprotocol") {
    std::string req = request;
    req.insert(req.size() - 2, "Sec-WebSocket-Protocol: chat, superchat\r\n");
    vws::Connection conn(vws::Limits{});
    Peer p(conn);
    p.protocol = "superchat";
    p.feed(req, 0);
    REQUIRE(conn.request().protocols.size() == 2);
    CHECK(p.head().find("Sec-WebSocket-Protocol: superchat\r\n") != std::string::npos);
}

TEST_CASE("connection: fail() from the program") {
    vws::Connection conn(vws::Limits{});
    Peer p(conn);
    p.feed(request, 0);
    conn.fail(Fault::unsupported_data);
    p.take_output();
    CHECK(conn.state() == State::failed);
    CHECK(conn.close_code_sent() == 1003);
    check_last_close(p, 1003);
}

TEST_CASE("connection: a 125-byte close is allowed; a 2^62-byte frame fails at once") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        {
            Run r({}, cframe(0x88, close_payload(1000, std::string(123, 'r'))), chunk);
            CHECK(summary(r.peer.events) == "request, close");
            REQUIRE(r.peer.events.size() == 2);
            CHECK(r.peer.events[1].data == std::string(123, 'r'));
        }
        {
            // Default limits; the length is checked before anything is allocated.
            Run r({}, hex("82 ff 40 00 00 00 00 00 00 00 37 fa 21 3d"), chunk);
            check_failure(r, {"2^62-byte frame", "", Fault::frame_too_big, 1009});
        }
    }
}

TEST_CASE("connection: after the close handshake further input is ignored") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Run r({}, cframe(0x88, close_payload(1000)) + rfc_masked_hello + cframe(0x89, "p"), chunk);
        CHECK(summary(r.peer.events) == "request, close");
        CHECK(r.conn.state() == State::closed);
        CHECK(r.peer.frames().frames.size() == 1);
    }
}

TEST_CASE("connection: a large send uses the 64-bit length") {
    vws::Connection conn(vws::Limits{});
    Peer p(conn);
    p.feed(request, 0);
    conn.send_text(std::string(70000, 't'));
    p.take_output();
    std::string after = p.out.substr(p.head().size());
    CHECK(to_hex(after.substr(0, 10)) == "81 7f 00 00 00 00 00 01 11 70");
    CHECK(after.size() == 10 + 70000);
}

TEST_CASE("connection: counts data messages both ways and keeps the peer's close reason") {
    // The log's messages_in/messages_out and reason_received come from here
    // for every program, a handler of your own included.
    const std::string frames = cframe(0x81, "a") + cframe(0x01, "b") + cframe(0x89, "p") + cframe(0x80, "c") +
                               cframe(0x82, "\x01") + cframe(0x88, close_payload(1011, "exit=3"));
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Run r({}, frames, chunk);
        CHECK(summary(r.peer.events) == "request, text, ping, text, binary, close");
        CHECK(r.conn.messages_received() == 3);  // pings and the close are not messages
        CHECK(r.conn.messages_sent() == 0);
        CHECK(r.conn.close_code_received() == 1011);
        CHECK(r.conn.close_reason_received() == "exit=3");
        r.conn.send_text("late");  // closed: not sent, not counted
        CHECK(r.conn.messages_sent() == 0);
    }
    Run open({}, cframe(0x81, "x"), 0);
    open.conn.send_text("one");
    open.conn.send_message(vws::Opcode::binary, nullptr, 0);
    CHECK(open.conn.messages_sent() == 2);
    CHECK(open.conn.close_reason_received().empty());
}
