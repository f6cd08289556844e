// Faults: every way a peer can break RFC 6455 or our limits, named after the rule.
// The wire answer is derived from the fault: an HTTP status before the upgrade,
// a close code after it. Tests assert the exact fault.
#pragma once

#include <cstdint>

namespace vws {

enum class Fault : uint8_t {
    none,

    // Handshake (answered with an HTTP status, before the upgrade).
    bad_request_line,      // 400: not "METHOD SP TARGET SP HTTP/x.y"
    bad_header_syntax,     // 400: a header line without ':' or with a bad name
    method_not_get,        // 405
    http_version_not_11,   // 400 (RFC 6455 §4.1: HTTP/1.1 or higher)
    missing_host,          // 400
    missing_upgrade,       // 426: not asking to upgrade to websocket
    missing_connection_upgrade, // 400
    bad_websocket_key,     // 400: not base64 of 16 bytes
    unsupported_version,   // 426 + Sec-WebSocket-Version: 13
    head_too_large,        // 431
    too_many_headers,      // 431
    forbidden,             // 403 (program's decision, e.g. origin)
    not_found,             // 404 (program's decision, e.g. --dir)
    server_error,          // 500: we could not serve it (e.g. the program did not start)
    request_timeout,       // 408: part of a request, then nothing until --handshake-timeout
    origin_not_allowed,    // 403: Origin not in --origin
    host_not_allowed,      // 403: Host not in --host
    no_acceptable_protocol, // 400: --require-protocol and no offer we speak
    request_has_body,      // 400: Content-Length > 0 or Transfer-Encoding on the upgrade GET
    repeated_version,      // 400: Sec-WebSocket-Version sent more than once
    handshake_refused,     // client: the server answered something other than 101
    bad_accept_key,        // client: Sec-WebSocket-Accept does not match our key
    bad_response,          // client: response unparsable or missing upgrade headers

    // Framing (answered with a close code, after the upgrade).
    reserved_bits,         // 1002: RSV1-3 set without a negotiated extension
    reserved_opcode,       // 1002
    unmasked_client_frame, // 1002: §5.1 client frames MUST be masked
    masked_server_frame,   // 1002: §5.1 server frames MUST NOT be masked
    control_too_long,      // 1002: §5.5 control payload <= 125
    fragmented_control,    // 1002: §5.5 control frames MUST NOT be fragmented
    unexpected_continuation, // 1002: continuation with nothing to continue
    expected_continuation, // 1002: new data frame inside a fragmented message
    length_top_bit,        // 1002: §5.2 64-bit length MUST have the top bit clear
    bad_close_payload,     // 1002: close payload of one byte
    bad_close_code,        // 1002: §7.4 code not allowed on the wire
    bad_utf8,              // 1007: text payload or close reason
    frame_too_big,         // 1009
    message_too_big,       // 1009
    unsupported_data,      // 1003: a message type the program cannot take
    rate_exceeded,         // 1008: more messages per second than --max-rate

    // Our own resources (answered with a close code; the process exits 111).
    no_memory_for_message, // 1009: a message within the limits that we cannot
                           // get the memory to hold (§7.4.1: "too big for it to process")
    no_memory,             // 1011: no memory to queue what we send
};

// RFC 6455 §7.4.1 status codes we send.
namespace close_code {
inline constexpr uint16_t normal = 1000;
inline constexpr uint16_t going_away = 1001;
inline constexpr uint16_t protocol_error = 1002;
inline constexpr uint16_t unsupported_data = 1003;
inline constexpr uint16_t no_status = 1005;   // never on the wire
inline constexpr uint16_t abnormal = 1006;    // never on the wire
inline constexpr uint16_t invalid_payload = 1007;
inline constexpr uint16_t policy_violation = 1008;  // also: rate limit
inline constexpr uint16_t too_big = 1009;
inline constexpr uint16_t internal_error = 1011;
} // namespace close_code

bool is_handshake_fault(Fault f);
// The close code that answers a framing fault (1002, 1003, 1007, 1009) or a
// resource one (1009, 1011).
uint16_t close_code_of(Fault f);
// The HTTP status that answers a handshake fault (400, 403, 404, 405, 426, 431).
int http_status_of(Fault f);
// We ran out of memory (not the peer's fault: a system failure).
bool is_memory_fault(Fault f);
// A short stable name for logs and tests, e.g. "unmasked_client_frame".
const char* fault_name(Fault f);
// §7.4: may this code appear in a Close frame on the wire?
bool close_code_allowed_on_wire(uint16_t code);

} // namespace vws
