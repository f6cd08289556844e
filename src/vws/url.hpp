// WebSocket URIs (RFC 6455 §3): ws://host[:port]/path?query, for the client.
// Pure: no name resolution here, only the pieces the client needs to connect
// (host, port) and to write its request (Host header, request target).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vws {

struct WsUrl {
    bool secure = false;    // wss:// (we refuse it: TLS belongs to a proxy)
    std::string host;       // for getaddrinfo: "example.com", "127.0.0.1", "::1"
    std::string port;       // "80" when the URI gives none
    std::string target;     // "/path?query", at least "/"
    std::string host_header;  // "example.com:8080", "[::1]:8080"; no ":80"
};

enum class UrlError : uint8_t {
    none,
    bad_scheme,      // neither ws:// nor wss://
    bad_host,        // empty, bad brackets, white space or control characters
    bad_port,        // not 1-65535
    userinfo,        // user@host: not supported
    fragment,        // §3: a WebSocket URI has no fragment
    bad_target,      // white space or control characters in the path or query
};

// Parses `s`; on UrlError::none `out` is filled. A wss:// URI parses (with
// out.secure set) so that the caller can say why it refuses it.
UrlError parse_ws_url(std::string_view s, WsUrl& out);
const char* url_error_text(UrlError e);

} // namespace vws
