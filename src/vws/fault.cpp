#include "vws/fault.hpp"

namespace vws {

bool is_handshake_fault(Fault f)
{
    return f >= Fault::bad_request_line && f <= Fault::bad_response;
}

uint16_t close_code_of(Fault f)
{
    switch (f) {
    case Fault::bad_utf8: return close_code::invalid_payload;
    case Fault::frame_too_big:
    case Fault::message_too_big:
    case Fault::no_memory_for_message: return close_code::too_big;
    case Fault::no_memory: return close_code::internal_error;
    case Fault::unsupported_data: return close_code::unsupported_data;
    case Fault::rate_exceeded: return close_code::policy_violation;
    case Fault::none: return close_code::normal;
    default: return close_code::protocol_error;
    }
}

bool is_memory_fault(Fault f)
{
    return f == Fault::no_memory_for_message || f == Fault::no_memory;
}

int http_status_of(Fault f)
{
    switch (f) {
    case Fault::method_not_get: return 405;
    case Fault::missing_upgrade:
    case Fault::unsupported_version: return 426;
    case Fault::head_too_large:
    case Fault::too_many_headers: return 431;
    case Fault::forbidden:
    case Fault::origin_not_allowed:
    case Fault::host_not_allowed: return 403;
    case Fault::not_found: return 404;
    case Fault::server_error: return 500;
    case Fault::request_timeout: return 408;
    default: return 400;
    }
}

const char* fault_name(Fault f)
{
    switch (f) {
    case Fault::none: return "none";
    case Fault::bad_request_line: return "bad_request_line";
    case Fault::bad_header_syntax: return "bad_header_syntax";
    case Fault::method_not_get: return "method_not_get";
    case Fault::http_version_not_11: return "http_version_not_11";
    case Fault::missing_host: return "missing_host";
    case Fault::missing_upgrade: return "missing_upgrade";
    case Fault::missing_connection_upgrade: return "missing_connection_upgrade";
    case Fault::bad_websocket_key: return "bad_websocket_key";
    case Fault::unsupported_version: return "unsupported_version";
    case Fault::head_too_large: return "head_too_large";
    case Fault::too_many_headers: return "too_many_headers";
    case Fault::forbidden: return "forbidden";
    case Fault::not_found: return "not_found";
    case Fault::server_error: return "server_error";
    case Fault::request_timeout: return "request_timeout";
    case Fault::origin_not_allowed: return "origin_not_allowed";
    case Fault::host_not_allowed: return "host_not_allowed";
    case Fault::no_acceptable_protocol: return "no_acceptable_protocol";
    case Fault::request_has_body: return "request_has_body";
    case Fault::repeated_version: return "repeated_version";
    case Fault::rate_exceeded: return "rate_exceeded";
    case Fault::handshake_refused: return "handshake_refused";
    case Fault::bad_accept_key: return "bad_accept_key";
    case Fault::bad_response: return "bad_response";
    case Fault::reserved_bits: return "reserved_bits";
    case Fault::reserved_opcode: return "reserved_opcode";
    case Fault::unmasked_client_frame: return "unmasked_client_frame";
    case Fault::masked_server_frame: return "masked_server_frame";
    case Fault::control_too_long: return "control_too_long";
    case Fault::fragmented_control: return "fragmented_control";
    case Fault::unexpected_continuation: return "unexpected_continuation";
    case Fault::expected_continuation: return "expected_continuation";
    case Fault::length_top_bit: return "length_top_bit";
    case Fault::bad_close_payload: return "bad_close_payload";
    case Fault::bad_close_code: return "bad_close_code";
    case Fault::bad_utf8: return "bad_utf8";
    case Fault::frame_too_big: return "frame_too_big";
    case Fault::message_too_big: return "message_too_big";
    case Fault::unsupported_data: return "unsupported_data";
    case Fault::no_memory_for_message: return "no_memory_for_message";
    case Fault::no_memory: return "no_memory";
    }
    return "unknown";
}

// RFC 6455 §7.4.1 defines 1000-1003 and 1007-1011 (1012-1014 were registered
// later with IANA); 1004 is reserved, 1005, 1006 and 1015 must never be sent.
// 3000-4999 belong to libraries and applications. Everything else is invalid.
bool close_code_allowed_on_wire(uint16_t code)
{
    if (code >= 1000 && code <= 1003) return true;
    if (code >= 1007 && code <= 1014) return true;
    return code >= 3000 && code <= 4999;
}

} // namespace vws
