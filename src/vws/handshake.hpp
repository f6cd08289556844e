// The opening handshake (RFC 6455 §4), both roles, on complete request or
// response heads: the Connection finds the blank line, these functions parse
// and answer. Pure functions: no I/O, no state between calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vws/fault.hpp"

namespace vws {

struct Header {
    std::string name;   // as sent
    std::string value;  // leading and trailing white space removed
};

struct HandshakeLimits {
    size_t max_head = 8192;     // request or response head, blank line included
    size_t max_headers = 100;
};

struct Request {
    std::string method;
    std::string version;    // "HTTP/1.1"
    std::string target;     // as sent: "/path?query"
    std::string path;       // "/path"
    std::string query;      // "query" (without '?'), may be empty
    std::string host;
    std::string key;        // Sec-WebSocket-Key
    std::vector<std::string> protocols;  // Sec-WebSocket-Protocol offers, in order
    std::vector<Header> headers;         // every header, in order

    // The first header of that name (case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
};

// Can these first bytes of a request head still become a request? False as
// soon as they cannot (a TLS hello on a plain port, binary noise, a broken
// request line, a line ending in a bare LF or CR), so such peers get their
// 400 at once, not at the timeout.
bool plausible_request_start(std::string_view start);

// Parses and checks a complete request head (ending in CRLF CRLF):
// parse_request_head, then check_upgrade. Fault::none for a valid upgrade.
Fault parse_request(std::string_view head, const HandshakeLimits& limits, Request& out);
// The syntax only: request line, headers, limits.
Fault parse_request_head(std::string_view head, const HandshakeLimits& limits, Request& out);
// RFC 6455 §4.2.1: is this parsed request a valid WebSocket upgrade?
Fault check_upgrade(Request& req);

// A request that does not name websocket in Upgrade: a plain HTTP request
// (a browser opening the page, a health check), not a broken handshake.
bool asks_for_websocket(const Request& req);
// The checks a plain request passes before it is answered (--static,
// --devconsole): HTTP/1.0 or 1.1, one Host on 1.1 (RFC 9112 §3.2). Sets host.
Fault check_plain_request(Request& req);

// "HTTP/1.1 200 OK" with a text body, for a health check; `extra` is header
// lines ("Name: value\r\n") to add (--header-http).
std::string plain_response(int status, std::string_view body, std::string_view extra = {});

// base64(SHA-1(key + GUID)), RFC 6455 §4.2.2 item 5.4.
std::string accept_key(std::string_view key);

// "HTTP/1.1 101 Switching Protocols" with the accept key and, when not empty,
// the chosen subprotocol.
std::string accept_response(const Request& req, std::string_view protocol, std::string_view extra = {});

// The HTTP error response for a handshake fault, with a one-line text body.
std::string error_response(Fault f, std::string_view extra = {});

// Client role.
struct ClientRequest {
    std::string host;       // Host header value, "example.com:8080"
    std::string target = "/";
    std::string key;        // base64 of 16 random bytes, from the caller
    std::vector<std::string> protocols;
    std::vector<Header> headers;  // extra headers (Origin, auth, ...)
};

std::string build_request(const ClientRequest& req);

struct Response {
    int status = 0;
    std::string reason;
    std::string protocol;   // chosen subprotocol, may be empty
    std::vector<Header> headers;
};

// Parses a complete response head and verifies it accepts `req`.
Fault parse_response(std::string_view head, const ClientRequest& req,
                     const HandshakeLimits& limits, Response& out);

// True when s is base64 of exactly 16 bytes (24 characters ending in "==").
bool valid_websocket_key(std::string_view s);

// Case-insensitive search for `token` in a comma-separated header value.
bool has_token(std::string_view list, std::string_view token);

// "a, b,c" -> {"a", "b", "c"}: the items of a comma list (a header value or
// an option), trimmed, empty ones dropped.
std::vector<std::string> split_comma_list(std::string_view list);

} // namespace vws
