// The server-role Connection's faults (connection.hpp): every protocol
// violation with its exact fault and close code, and the size limits. Every
// case runs with the input cut in chunks of 1, 2, 3, 7 bytes and whole.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "driver.hpp"

using namespace vws_test;
using vws::EventType;
using vws::Fault;
using vws::State;

namespace {

std::vector<Violation> violations() {
    std::vector<Violation> v = {
        {"RSV1 on text", cframe(0xC1, "Hello"), Fault::reserved_bits, 1002},
        {"RSV2 on binary", cframe(0xA2, "x"), Fault::reserved_bits, 1002},
        {"RSV3 on ping", cframe(0x99, "x"), Fault::reserved_bits, 1002},
        {"opcode 3", cframe(0x83, "x"), Fault::reserved_opcode, 1002},
        {"opcode 7", cframe(0x87, ""), Fault::reserved_opcode, 1002},
        {"opcode 3 without FIN", cframe(0x03, "x"), Fault::reserved_opcode, 1002},
        {"opcode B", cframe(0x8B, "x"), Fault::reserved_opcode, 1002},
        {"opcode F", cframe(0x8F, ""), Fault::reserved_opcode, 1002},
        {"unmasked text", frame(0x81, "Hello", false), Fault::unmasked_client_frame, 1002},
        {"unmasked close", frame(0x88, close_payload(1000), false), Fault::unmasked_client_frame, 1002},
        {"ping of 126 bytes", cframe(0x89, pattern(126)), Fault::control_too_long, 1002},
        {"close of 126 bytes", cframe(0x88, close_payload(1000, std::string(124, 'r'))),
         Fault::control_too_long, 1002},
        {"ping without FIN", cframe(0x09, "x"), Fault::fragmented_control, 1002},
        {"close without FIN", cframe(0x08, close_payload(1000)), Fault::fragmented_control, 1002},
        {"continuation first", cframe(0x80, "x"), Fault::unexpected_continuation, 1002},
        {"non-final continuation first", cframe(0x00, "x"), Fault::unexpected_continuation, 1002},
        {"continuation after a whole message", cframe(0x81, "a") + cframe(0x80, "b"),
         Fault::unexpected_continuation, 1002},
        {"continuation after a whole fragmented message",
         cframe(0x01, "a") + cframe(0x80, "b") + cframe(0x80, "c"), Fault::unexpected_continuation, 1002},
        {"text inside a fragmented text", cframe(0x01, "Hel") + cframe(0x81, "lo"),
         Fault::expected_continuation, 1002},
        {"binary inside a fragmented text", cframe(0x01, "Hel") + cframe(0x02, "lo"),
         Fault::expected_continuation, 1002},
        {"64-bit length with top bit", hex("82 ff 80 00 00 00 00 00 00 05 37 fa 21 3d") + "Hello",
         Fault::length_top_bit, 1002},
        {"1-byte close", cframe(0x88, "\x03"), Fault::bad_close_payload, 1002},
        {"bad UTF-8 text", cframe(0x81, "\xc0\x80"), Fault::bad_utf8, 1007},
        {"bad UTF-8 after valid text", cframe(0x81, "Hello \xed\xa0\x80 world"), Fault::bad_utf8, 1007},
        {"bad UTF-8 across fragments", cframe(0x01, "ok \xe2\x82") + cframe(0x80, "\x28"), Fault::bad_utf8, 1007},
        {"text ends mid-sequence", cframe(0x81, "ok \xe2\x82"), Fault::bad_utf8, 1007},
        {"fragmented text ends mid-sequence", cframe(0x01, "a\xe2") + cframe(0x80, "\x82"),
         Fault::bad_utf8, 1007},
        {"bad UTF-8 in an unfinished message", cframe(0x01, "ok \xff"), Fault::bad_utf8, 1007},
        {"bad UTF-8 in a later fragment, message unfinished", cframe(0x01, "ok") + cframe(0x00, "\xc1\xbf"),
         Fault::bad_utf8, 1007},
        {"bad UTF-8 close reason", cframe(0x88, close_payload(1000, "bye \xff")), Fault::bad_utf8, 1007},
        {"close reason ends mid-sequence", cframe(0x88, close_payload(1000, "\xe2\x82")), Fault::bad_utf8, 1007},
    };
    for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
        v.push_back({"close code " + std::to_string(code), cframe(0x88, close_payload(code)),
                     Fault::bad_close_code, 1002});
    return v;
}

} // namespace

TEST_CASE("connection: each violation fails with its exact fault and close code") {
    for (const auto& v : violations())
        for (size_t chunk : chunkings) {
            CAPTURE(v.name); CAPTURE(chunk); CAPTURE(to_hex(v.frames));
            Run r({}, v.frames, chunk);
            size_t before = v.name.rfind("continuation after a whole", 0) == 0 ? 1 : 0;
            check_failure(r, v, before);
        }
}

TEST_CASE("connection: frame and message limits are inclusive (1009 past them)") {
    vws::Limits limits;
    limits.max_frame = 10;
    limits.max_message = 20;
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        {
            Run r(limits, cframe(0x82, pattern(10)) + cframe(0x81, "0123456789"), chunk);
            CHECK(summary(r.peer.events) == "request, binary, text");
        }
        {
            Run r(limits, cframe(0x02, pattern(10)) + cframe(0x80, pattern(10)), chunk);
            CHECK(summary(r.peer.events) == "request, binary");
            REQUIRE(r.peer.events.size() == 2);
            CHECK(r.peer.events[1].data.size() == 20);
        }
        {
            Run r(limits, cframe(0x01, "0123456789") + cframe(0x00, "0123456789") + cframe(0x80, ""), chunk);
            CHECK(summary(r.peer.events) == "request, text");
        }
        {
            Run r(limits, cframe(0x82, pattern(11)), chunk);
            check_failure(r, {"11-byte frame", "", Fault::frame_too_big, 1009});
        }
        {
            Run r(limits, cframe(0x81, "01234567890"), chunk);
            check_failure(r, {"11-byte text frame", "", Fault::frame_too_big, 1009});
        }
        {
            Run r(limits, cframe(0x02, pattern(10)) + cframe(0x00, pattern(10)) + cframe(0x80, "x"), chunk);
            check_failure(r, {"21-byte message", "", Fault::message_too_big, 1009});
        }
        {
            Run r(limits, cframe(0x01, "0123456789") + cframe(0x00, "0123456789") + cframe(0x80, "x"), chunk);
            check_failure(r, {"21-byte text message", "", Fault::message_too_big, 1009});
        }
        {
            // A huge declared length fails at the header, before any payload.
            Run r(limits, hex("82 ff 00 00 00 01 00 00 00 00 37 fa 21 3d"), chunk);
            check_failure(r, {"4 GiB frame", "", Fault::frame_too_big, 1009});
        }
    }
}

TEST_CASE("connection: bad UTF-8 fails before the frame is complete") {
    // RFC 6455 §8.1 asks to fail on invalid UTF-8; with incremental validation
    // the failure needs no more than the bad byte (Autobahn 6.4.x "fail fast").
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        vws::Connection conn(vws::Limits{});
        Peer p(conn);
        std::string f = cframe(0x81, "abc\xff" + std::string(100, 'x'));
        p.feed(request + f.substr(0, 6 + 4), chunk);   // header + "abc\xff" of 104 bytes
        CHECK(summary(p.events) == "request, failed:bad_utf8");
        CHECK(conn.close_code_sent() == 1007);
    }
}
