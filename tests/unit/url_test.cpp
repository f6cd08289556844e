// WebSocket URIs (url.hpp, RFC 6455 §3): one vector per line, what the client
// connects to and what its request says, or the exact error.
#include <doctest/doctest.h>

#include <string>

#include "vws/url.hpp"

using vws::UrlError;

namespace {

struct Good {
    const char* url;
    const char* host;
    const char* port;
    const char* target;
    const char* host_header;
    bool secure;
};

const Good good_cases[] = {
    {"ws://example.com", "example.com", "80", "/", "example.com", false},
    {"ws://example.com/", "example.com", "80", "/", "example.com", false},
    {"WS://Example.com/chat", "Example.com", "80", "/chat", "Example.com", false},
    {"ws://example.com:8080/chat?room=1&x=2", "example.com", "8080", "/chat?room=1&x=2", "example.com:8080", false},
    {"ws://example.com?q", "example.com", "80", "/?q", "example.com", false},
    {"ws://example.com:80/a", "example.com", "80", "/a", "example.com", false},
    {"ws://127.0.0.1:8181/", "127.0.0.1", "8181", "/", "127.0.0.1:8181", false},
    {"ws://[::1]:8181/x", "::1", "8181", "/x", "[::1]:8181", false},
    {"ws://[::1]/x", "::1", "80", "/x", "[::1]", false},
    {"ws://[2001:db8::7]:65535", "2001:db8::7", "65535", "/", "[2001:db8::7]:65535", false},
    {"ws://h:0008/", "h", "8", "/", "h:8", false},
    {"wss://example.com/", "example.com", "443", "/", "example.com", true},
    {"wss://example.com:443/", "example.com", "443", "/", "example.com", true},
    {"wss://example.com:80/", "example.com", "80", "/", "example.com:80", true},
};

struct Bad {
    const char* url;
    UrlError error;
};

const Bad bad_cases[] = {
    {"http://example.com/", UrlError::bad_scheme},
    {"example.com", UrlError::bad_scheme},
    {"ws:/example.com", UrlError::bad_scheme},
    {"", UrlError::bad_scheme},
    {"ws://", UrlError::bad_host},
    {"ws:///path", UrlError::bad_host},
    {"ws://:80/", UrlError::bad_host},
    {"ws://[::1/", UrlError::bad_host},
    {"ws://[]/", UrlError::bad_host},
    {"ws://[::1]x/", UrlError::bad_host},
    {"ws://[example.com]/", UrlError::bad_host},
    {"ws://::1/", UrlError::bad_host},
    {"ws://exa mple.com/", UrlError::bad_host},
    {"ws://h:/", UrlError::bad_port},
    {"ws://h:0/", UrlError::bad_port},
    {"ws://h:65536/", UrlError::bad_port},
    {"ws://h:123456/", UrlError::bad_port},
    {"ws://h:8x/", UrlError::bad_port},
    {"ws://user:pw@h/", UrlError::userinfo},
    {"ws://h/#frag", UrlError::fragment},
    {"ws://h#", UrlError::fragment},
    {"ws://h/a b", UrlError::bad_target},
    {"ws://h/a\r\nX: y", UrlError::bad_target},
};

} // namespace

TEST_CASE("url: good WebSocket URIs") {
    for (const auto& c : good_cases) {
        CAPTURE(std::string(c.url));
        vws::WsUrl u;
        REQUIRE(vws::parse_ws_url(c.url, u) == UrlError::none);
        CHECK(u.host == c.host);
        CHECK(u.port == c.port);
        CHECK(u.target == c.target);
        CHECK(u.host_header == c.host_header);
        CHECK(u.secure == c.secure);
    }
}

TEST_CASE("url: bad WebSocket URIs, each with its error") {
    for (const auto& c : bad_cases) {
        CAPTURE(std::string(c.url));
        vws::WsUrl u;
        CHECK(vws::parse_ws_url(c.url, u) == c.error);
        CHECK(std::string(vws::url_error_text(c.error)).size() > 0);
    }
}
