// Faults and their wire answers (fault.hpp): every framing fault has its close
// code (RFC 6455 §7.4.1), every handshake fault its HTTP status.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "vws/fault.hpp"

using vws::Fault;

namespace {

struct FaultCase {
    Fault fault;
    const char* name;
    bool handshake;
    int answer;   // HTTP status for handshake faults, close code otherwise
};

// One line per fault, in enum order.
const FaultCase fault_cases[] = {
    {Fault::bad_request_line, "bad_request_line", true, 400},
    {Fault::bad_header_syntax, "bad_header_syntax", true, 400},
    {Fault::method_not_get, "method_not_get", true, 405},
    {Fault::http_version_not_11, "http_version_not_11", true, 400},
    {Fault::missing_host, "missing_host", true, 400},
    {Fault::missing_upgrade, "missing_upgrade", true, 426},
    {Fault::missing_connection_upgrade, "missing_connection_upgrade", true, 400},
    {Fault::bad_websocket_key, "bad_websocket_key", true, 400},
    {Fault::unsupported_version, "unsupported_version", true, 426},
    {Fault::head_too_large, "head_too_large", true, 431},
    {Fault::too_many_headers, "too_many_headers", true, 431},
    {Fault::forbidden, "forbidden", true, 403},
    {Fault::not_found, "not_found", true, 404},
    {Fault::server_error, "server_error", true, 500},
    {Fault::request_timeout, "request_timeout", true, 408},
    {Fault::origin_not_allowed, "origin_not_allowed", true, 403},
    {Fault::host_not_allowed, "host_not_allowed", true, 403},
    {Fault::no_acceptable_protocol, "no_acceptable_protocol", true, 400},
    {Fault::request_has_body, "request_has_body", true, 400},
    {Fault::repeated_version, "repeated_version", true, 400},
    {Fault::reserved_bits, "reserved_bits", false, 1002},
    {Fault::reserved_opcode, "reserved_opcode", false, 1002},
    {Fault::unmasked_client_frame, "unmasked_client_frame", false, 1002},
    {Fault::masked_server_frame, "masked_server_frame", false, 1002},
    {Fault::control_too_long, "control_too_long", false, 1002},
    {Fault::fragmented_control, "fragmented_control", false, 1002},
    {Fault::unexpected_continuation, "unexpected_continuation", false, 1002},
    {Fault::expected_continuation, "expected_continuation", false, 1002},
    {Fault::length_top_bit, "length_top_bit", false, 1002},
    {Fault::bad_close_payload, "bad_close_payload", false, 1002},
    {Fault::bad_close_code, "bad_close_code", false, 1002},
    {Fault::bad_utf8, "bad_utf8", false, 1007},
    {Fault::frame_too_big, "frame_too_big", false, 1009},
    {Fault::message_too_big, "message_too_big", false, 1009},
    {Fault::unsupported_data, "unsupported_data", false, 1003},
    {Fault::no_memory_for_message, "no_memory_for_message", false, 1009},
    {Fault::no_memory, "no_memory", false, 1011},
};

} // namespace

TEST_CASE("fault: each fault's wire answer and name") {
    for (const auto& c : fault_cases) {
        CAPTURE(std::string(c.name));
        CHECK(vws::is_handshake_fault(c.fault) == c.handshake);
        if (c.handshake)
            CHECK(vws::http_status_of(c.fault) == c.answer);
        else
            CHECK(vws::close_code_of(c.fault) == c.answer);
        REQUIRE(vws::fault_name(c.fault) != nullptr);
        CHECK(std::string(vws::fault_name(c.fault)) == c.name);
    }
}

TEST_CASE("fault: only running out of memory is a memory fault") {
    for (const auto& c : fault_cases) {
        CAPTURE(std::string(c.name));
        const bool memory = c.fault == Fault::no_memory_for_message || c.fault == Fault::no_memory;
        CHECK(vws::is_memory_fault(c.fault) == memory);
    }
}

TEST_CASE("fault: client handshake faults are handshake faults with distinct names") {
    std::set<std::string> names;
    for (const auto& c : fault_cases) names.insert(c.name);
    for (Fault f : {Fault::handshake_refused, Fault::bad_accept_key, Fault::bad_response}) {
        CHECK(vws::is_handshake_fault(f));
        REQUIRE(vws::fault_name(f) != nullptr);
        CHECK(names.insert(vws::fault_name(f)).second);
    }
    REQUIRE(vws::fault_name(Fault::none) != nullptr);
    CHECK_FALSE(vws::is_handshake_fault(Fault::none));
}

// RFC 6455 §7.4.1 and §7.4.2: 1000-1003, 1007-1011 and (IANA registry)
// 1012-1014 may be sent; 1004, 1005, 1006, 1015 may not; 1016-2999 are
// reserved; 3000-4999 are for libraries and applications; the rest are invalid.
TEST_CASE("fault: close codes allowed on the wire") {
    struct CodeCase { uint16_t code; bool allowed; };
    const CodeCase cases[] = {
        {0, false}, {999, false}, {1000, true}, {1001, true}, {1002, true}, {1003, true},
        {1004, false}, {1005, false}, {1006, false}, {1007, true}, {1008, true},
        {1009, true}, {1010, true}, {1011, true}, {1012, true}, {1013, true},
        {1014, true}, {1015, false}, {1016, false}, {2000, false}, {2999, false},
        {3000, true}, {3999, true}, {4000, true}, {4999, true}, {5000, false},
        {65535, false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.code);
        CHECK(vws::close_code_allowed_on_wire(c.code) == c.allowed);
    }
}
