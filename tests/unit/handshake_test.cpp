// The opening handshake (handshake.hpp, RFC 6455 §4): the accept key, key
// validation, request parsing with the exact fault for each defect, the
// server's answers, and the client's request and response check.
#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "vws/connection.hpp"
#include "vws/handshake.hpp"

using vws::Fault;

namespace {

const char* const rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
const char* const rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// A request head from a request line and header lines.
std::string head(const std::string& line, const std::vector<std::string>& headers) {
    std::string s = line + "\r\n";
    for (const auto& h : headers) s += h + "\r\n";
    return s + "\r\n";
}

std::vector<std::string> good_headers() {
    return {
        "Host: server.example.com",
        "Upgrade: websocket",
        "Connection: keep-alive, Upgrade",
        std::string("Sec-WebSocket-Key: ") + rfc_key,
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: chat, superchat",
        "Origin: http://example.com",
    };
}

const char* const good_line = "GET /chat?room=1&x=2 HTTP/1.1";

// good_headers() with the header starting with `prefix` replaced (or removed
// when `with` is empty).
std::vector<std::string> replace(const std::string& prefix, const std::string& with) {
    std::vector<std::string> out;
    for (auto& h : good_headers()) {
        if (h.compare(0, prefix.size(), prefix) == 0) {
            if (!with.empty()) out.push_back(with);
        } else {
            out.push_back(h);
        }
    }
    return out;
}

// The value of the first header `name` (case-insensitive) in a response head.
std::string header_value(const std::string& response, const std::string& name) {
    size_t at = 0;
    while ((at = response.find("\r\n", at)) != std::string::npos) {
        at += 2;
        size_t end = response.find("\r\n", at);
        if (end == std::string::npos || end == at) break;
        std::string line = response.substr(at, end - at);
        size_t colon = line.find(':');
        if (colon != std::string::npos && colon == name.size()) {
            bool same = true;
            for (size_t i = 0; i < colon; ++i)
                if (std::tolower(static_cast<unsigned char>(line[i])) !=
                    std::tolower(static_cast<unsigned char>(name[i])))
                    same = false;
            if (same) {
                size_t v = line.find_first_not_of(" \t", colon + 1);
                return v == std::string::npos ? "" : line.substr(v);
            }
        }
    }
    return "<absent>";
}

} // namespace

TEST_CASE("handshake: RFC 6455 §1.3 accept key") {
    CHECK(vws::accept_key(rfc_key) == rfc_accept);
    // The key/accept pair from Wikipedia's WebSocket article.
    CHECK(vws::accept_key("x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

TEST_CASE("handshake: valid_websocket_key") {
    struct KeyCase { const char* key; bool valid; };
    const KeyCase cases[] = {
        {"dGhlIHNhbXBsZSBub25jZQ==", true},
        {"x3JJHMbDL1EzLkh9GBhXDw==", true},
        {"AAAAAAAAAAAAAAAAAAAAAA==", true},
        {"/////////////////////w==", true},
        {"++++++++++++++++++++++==", false},   // '+' ends in non-zero bits
        {"+++++++++++++++++++++g==", true},
        {"", false},
        {"dGhlIHNhbXBsZSBub25jZQ=", false},     // 23
        {"dGhlIHNhbXBsZSBub25jZQ===", false},   // 25
        {"dGhlIHNhbXBsZSBub25jZQ", false},      // no padding
        {"dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==", false},
        {"dGhlIHNhbXBsZSBub25jZ!==", false},    // bad character
        {"dGhlIHNhbXBsZSBub25j-Q==", false},    // URL-safe alphabet
        {"dGhlIHNhbXBsZSBub25j_Q==", false},
        {"dGhlIHNhbXBsZSBub25j ZQ=", false},    // space inside
        {"dGhlIHNhbXBsZSBub25jZQA=", false},    // 17 bytes, one '='
        {"dGhlIHNhbXBsZSBub25jZQAA", false},    // 18 bytes, no '='
        {"dGhlIHNhbXBsZSBub25j=Q==", false},    // '=' in the middle
        {"dGhlIHNhbXBsZSBub25jZ===", false},    // three '='
        {"dGhlIHNhbXBsZSBub25jZR==", false},    // non-zero trailing bits
        {"dGhlIHNhbXBsZSBub25jZf==", false},
        {"dGhlIHNhbXBsZSBub25jZ/==", false},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.key));
        CHECK(vws::valid_websocket_key(c.key) == c.valid);
    }
    std::string with_nul("dGhlIHNhbXBsZSBub25jZQ==");
    with_nul[3] = '\0';
    CHECK_FALSE(vws::valid_websocket_key(with_nul));
}

TEST_CASE("handshake: has_token") {
    CHECK(vws::has_token("keep-alive, Upgrade", "upgrade"));
    CHECK(vws::has_token("keep-alive,upgrade", "Upgrade"));
    CHECK(vws::has_token("UPGRADE", "upgrade"));
    CHECK(vws::has_token("  upgrade  ", "upgrade"));
    CHECK(vws::has_token("Upgrade, keep-alive", "upgrade"));
    CHECK_FALSE(vws::has_token("upgraded", "upgrade"));
    CHECK_FALSE(vws::has_token("notupgrade", "upgrade"));
    CHECK_FALSE(vws::has_token("keep-alive", "upgrade"));
    CHECK_FALSE(vws::has_token("", "upgrade"));
}

TEST_CASE("handshake: a valid request") {
    vws::Request req;
    vws::HandshakeLimits limits;
    REQUIRE(vws::parse_request(head(good_line, good_headers()), limits, req) == Fault::none);
    CHECK(req.method == "GET");
    CHECK(req.target == "/chat?room=1&x=2");
    CHECK(req.path == "/chat");
    CHECK(req.query == "room=1&x=2");
    CHECK(req.host == "server.example.com");
    CHECK(req.key == rfc_key);
    REQUIRE(req.protocols.size() == 2);
    CHECK(req.protocols[0] == "chat");
    CHECK(req.protocols[1] == "superchat");
    CHECK(req.headers.size() == good_headers().size());
    REQUIRE(req.header("origin") != nullptr);
    CHECK(*req.header("ORIGIN") == "http://example.com");
    CHECK(req.header("Cookie") == nullptr);
}

TEST_CASE("handshake: valid variants") {
    struct Variant { const char* name; std::string line; std::vector<std::string> headers; };
    const std::vector<Variant> variants = {
        {"header names and tokens in any case", "GET / HTTP/1.1",
         {"host: h", "upgrade: WebSocket", "connection: UPGRADE", std::string("sec-websocket-key: ") + rfc_key,
          "SEC-WEBSOCKET-VERSION: 13"}},
        {"Connection token first, no space", good_line, replace("Connection:", "Connection: Upgrade,keep-alive")},
        {"white space around values", good_line, replace("Upgrade:", "Upgrade:   websocket   ")},
        {"tab before value", good_line, replace("Host:", "Host:\tserver.example.com")},
        {"no protocols", good_line, replace("Sec-WebSocket-Protocol:", "")},
        {"absolute-form target", "GET ws://server.example.com/chat?room=1&x=2 HTTP/1.1", good_headers()},
        {"HTTP/1.1 is the minimum; later is fine", "GET /chat HTTP/1.2", good_headers()},
        {"Content-Length: 0 (no body)", good_line,
         [] { auto h = good_headers(); h.push_back("Content-Length: 0"); return h; }()},
    };
    for (const auto& v : variants) {
        CAPTURE(std::string(v.name));
        vws::Request req;
        CHECK(vws::fault_name(vws::parse_request(head(v.line, v.headers), {}, req)) ==
              std::string("none"));
    }
    vws::Request req;
    REQUIRE(vws::parse_request(head("GET /plain HTTP/1.1", good_headers()), {}, req) == Fault::none);
    CHECK(req.path == "/plain");
    CHECK(req.query.empty());
}

TEST_CASE("handshake: each defect gives its exact fault") {
    struct Defect { const char* name; std::string line; std::vector<std::string> headers; Fault fault; };
    const std::vector<Defect> defects = {
        {"POST", "POST /chat HTTP/1.1", good_headers(), Fault::method_not_get},
        {"HTTP/1.0", "GET /chat HTTP/1.0", good_headers(), Fault::http_version_not_11},
        {"no Host", good_line, replace("Host:", ""), Fault::missing_host},
        {"no Upgrade", good_line, replace("Upgrade:", ""), Fault::missing_upgrade},
        {"Upgrade: h2c", good_line, replace("Upgrade:", "Upgrade: h2c"), Fault::missing_upgrade},
        {"Connection without upgrade", good_line, replace("Connection:", "Connection: keep-alive"),
         Fault::missing_connection_upgrade},
        {"no Connection", good_line, replace("Connection:", ""), Fault::missing_connection_upgrade},
        {"short key", good_line, replace("Sec-WebSocket-Key:", "Sec-WebSocket-Key: abc"),
         Fault::bad_websocket_key},
        {"key with trailing bits", good_line,
         replace("Sec-WebSocket-Key:", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR=="), Fault::bad_websocket_key},
        {"no key", good_line, replace("Sec-WebSocket-Key:", ""), Fault::bad_websocket_key},
        {"version 8", good_line, replace("Sec-WebSocket-Version:", "Sec-WebSocket-Version: 8"),
         Fault::unsupported_version},
        {"no version", good_line, replace("Sec-WebSocket-Version:", ""), Fault::unsupported_version},
        {"request line of two parts", "GET /chat", good_headers(), Fault::bad_request_line},
        {"request line of one part", "GET", good_headers(), Fault::bad_request_line},
        {"empty request line", "", good_headers(), Fault::bad_request_line},
        {"header without colon", good_line,
         [] { auto h = good_headers(); h.push_back("NoColonHere"); return h; }(), Fault::bad_header_syntax},
        {"header name with a space", good_line,
         [] { auto h = good_headers(); h.push_back("Bad Name: x"); return h; }(), Fault::bad_header_syntax},
        {"space before the colon", good_line,
         [] { auto h = good_headers(); h.push_back("X-Pad : x"); return h; }(), Fault::bad_header_syntax},
        {"obsolete line folding", good_line,
         [] { auto h = good_headers(); h.push_back("X-Pad: a"); h.push_back(" b"); return h; }(),
         Fault::bad_header_syntax},
        {"two Host headers", good_line,
         [] { auto h = good_headers(); h.push_back("Host: other.example.com"); return h; }(), Fault::missing_host},
        {"empty Host", good_line, replace("Host:", "Host:"), Fault::missing_host},
        {"two keys", good_line,
         [] { auto h = good_headers(); h.push_back("Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw=="); return h; }(),
         Fault::bad_websocket_key},
        {"empty header name", good_line,
         [] { auto h = good_headers(); h.push_back(": x"); return h; }(), Fault::bad_header_syntax},
        // A repeated version is malformed (400), not a version we do not speak (426).
        {"version 13 twice", good_line,
         [] { auto h = good_headers(); h.push_back("Sec-WebSocket-Version: 13"); return h; }(),
         Fault::repeated_version},
        {"versions 13 and 8", good_line,
         [] { auto h = good_headers(); h.push_back("Sec-WebSocket-Version: 8"); return h; }(),
         Fault::repeated_version},
        // RFC 9112 §6.3: a body would be read as frames after the upgrade.
        {"Content-Length: 5", good_line,
         [] { auto h = good_headers(); h.push_back("Content-Length: 5"); return h; }(), Fault::request_has_body},
        {"Content-Length: 0 and 5", good_line,
         [] { auto h = good_headers(); h.push_back("Content-Length: 0"); h.push_back("content-length: 5"); return h; }(),
         Fault::request_has_body},
        {"Content-Length with no value", good_line,
         [] { auto h = good_headers(); h.push_back("Content-Length:"); return h; }(), Fault::request_has_body},
        {"Content-Length: 00x", good_line,
         [] { auto h = good_headers(); h.push_back("Content-Length: 00x"); return h; }(), Fault::request_has_body},
        {"Transfer-Encoding: chunked", good_line,
         [] { auto h = good_headers(); h.push_back("Transfer-Encoding: chunked"); return h; }(),
         Fault::request_has_body},
        {"Transfer-Encoding with Content-Length: 0", good_line,
         [] { auto h = good_headers(); h.push_back("Content-Length: 0"); h.push_back("transfer-encoding: identity"); return h; }(),
         Fault::request_has_body},
    };
    for (const auto& d : defects) {
        CAPTURE(std::string(d.name));
        vws::Request req;
        Fault got = vws::parse_request(head(d.line, d.headers), {}, req);
        CHECK(std::string(vws::fault_name(got)) == vws::fault_name(d.fault));
    }
}

TEST_CASE("handshake: header count limit") {
    vws::HandshakeLimits limits;
    limits.max_headers = 100;
    for (size_t count : {size_t(100), size_t(101)}) {
        CAPTURE(count);
        auto h = good_headers();
        for (size_t i = h.size(); i < count; ++i) h.push_back("X-Pad-" + std::to_string(i) + ": v");
        REQUIRE(h.size() == count);
        vws::Request req;
        Fault got = vws::parse_request(head(good_line, h), limits, req);
        CHECK(std::string(vws::fault_name(got)) ==
              vws::fault_name(count <= 100 ? Fault::none : Fault::too_many_headers));
    }
}

TEST_CASE("handshake: HTTP status and error responses") {
    struct StatusCase { Fault fault; int status; };
    const StatusCase cases[] = {
        {Fault::bad_request_line, 400}, {Fault::bad_header_syntax, 400},
        {Fault::method_not_get, 405}, {Fault::http_version_not_11, 400},
        {Fault::missing_host, 400}, {Fault::missing_upgrade, 426},
        {Fault::missing_connection_upgrade, 400}, {Fault::bad_websocket_key, 400},
        {Fault::unsupported_version, 426}, {Fault::head_too_large, 431},
        {Fault::too_many_headers, 431}, {Fault::forbidden, 403}, {Fault::not_found, 404},
        {Fault::request_has_body, 400}, {Fault::repeated_version, 400},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(vws::fault_name(c.fault)));
        CHECK(vws::http_status_of(c.fault) == c.status);
        std::string r = vws::error_response(c.fault);
        CHECK(r.rfind("HTTP/1.1 " + std::to_string(c.status) + " ", 0) == 0);
        CHECK(r.find("\r\n\r\n") != std::string::npos);
        // The body is announced by its length.
        std::string body = r.substr(r.find("\r\n\r\n") + 4);
        CHECK(header_value(r, "Content-Length") == std::to_string(body.size()));
    }
    // §4.4: 426 with the versions we speak.
    CHECK(vws::error_response(Fault::unsupported_version).find("Sec-WebSocket-Version: 13\r\n") !=
          std::string::npos);
}

TEST_CASE("handshake: accept_response") {
    vws::Request req;
    REQUIRE(vws::parse_request(head(good_line, good_headers()), {}, req) == Fault::none);
    std::string r = vws::accept_response(req, "chat");
    CHECK(r.rfind("HTTP/1.1 101 ", 0) == 0);
    CHECK(r.size() >= 4);
    CHECK(r.substr(r.size() - 4) == "\r\n\r\n");
    CHECK(r.find(std::string("Sec-WebSocket-Accept: ") + rfc_accept + "\r\n") != std::string::npos);
    CHECK(header_value(r, "Sec-WebSocket-Protocol") == "chat");
    CHECK(vws::has_token(header_value(r, "Upgrade"), "websocket"));
    CHECK(vws::has_token(header_value(r, "Connection"), "upgrade"));

    std::string plain = vws::accept_response(req, "");
    CHECK(header_value(plain, "Sec-WebSocket-Protocol") == "<absent>");
    CHECK(header_value(plain, "Sec-WebSocket-Accept") == rfc_accept);
}

TEST_CASE("handshake: client request and response round trip") {
    vws::ClientRequest creq;
    creq.host = "example.com:8080";
    creq.target = "/chat?room=1";
    creq.key = rfc_key;
    creq.protocols = {"chat", "superchat"};
    creq.headers = {{"Origin", "http://example.com"}};
    std::string wire = vws::build_request(creq);

    vws::Request req;
    REQUIRE(vws::parse_request(wire, {}, req) == Fault::none);
    CHECK(req.host == "example.com:8080");
    CHECK(req.path == "/chat");
    CHECK(req.query == "room=1");
    CHECK(req.key == rfc_key);
    CHECK(req.protocols == std::vector<std::string>{"chat", "superchat"});
    REQUIRE(req.header("Origin") != nullptr);
    CHECK(*req.header("Origin") == "http://example.com");

    for (const char* chosen : {"chat", "superchat", ""}) {
        CAPTURE(std::string(chosen));
        vws::Response resp;
        REQUIRE(vws::parse_response(vws::accept_response(req, chosen), creq, {}, resp) == Fault::none);
        CHECK(resp.status == 101);
        CHECK(resp.protocol == chosen);
    }
}

TEST_CASE("handshake: client rejects a bad response") {
    vws::ClientRequest creq;
    creq.host = "example.com";
    creq.key = rfc_key;
    creq.protocols = {"chat"};
    vws::Request req;
    REQUIRE(vws::parse_request(vws::build_request(creq), {}, req) == Fault::none);
    std::string good = vws::accept_response(req, "chat");
    vws::Response resp;
    REQUIRE(vws::parse_response(good, creq, {}, resp) == Fault::none);

    std::string wrong_accept = good;
    size_t at = wrong_accept.find(rfc_accept);
    REQUIRE(at != std::string::npos);
    wrong_accept[at] = 't';
    CHECK(std::string(vws::fault_name(vws::parse_response(wrong_accept, creq, {}, resp))) ==
          "bad_accept_key");

    std::string refused = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    CHECK(std::string(vws::fault_name(vws::parse_response(refused, creq, {}, resp))) ==
          "handshake_refused");
    CHECK(resp.status == 403);

    std::string ok200 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    CHECK(std::string(vws::fault_name(vws::parse_response(ok200, creq, {}, resp))) ==
          "handshake_refused");

    CHECK(std::string(vws::fault_name(vws::parse_response("garbage\r\n\r\n", creq, {}, resp))) ==
          "bad_response");

    // §4.1: a 101 without the upgrade headers, or with a protocol we did not offer.
    std::string no_upgrade = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: " + std::string(rfc_accept) + "\r\n\r\n";
    CHECK(std::string(vws::fault_name(vws::parse_response(no_upgrade, creq, {}, resp))) ==
          "bad_response");
    CHECK(vws::parse_response(vws::accept_response(req, "other"), creq, {}, resp) != Fault::none);
    // §4.1: an extension we did not offer fails the connection too.
    std::string ext = good;
    ext.insert(ext.size() - 2, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    CHECK(vws::parse_response(ext, creq, {}, resp) != Fault::none);
}

TEST_CASE("plausible_request_start: refuse what can no longer become a request")
{
    using vws::plausible_request_start;
    CHECK(plausible_request_start(""));
    CHECK(plausible_request_start("G"));
    CHECK(plausible_request_start("GET /chat HT"));
    CHECK(plausible_request_start("GET /chat HTTP/1.1\r\nHost: a"));
    CHECK_FALSE(plausible_request_start("\x16\x03\x01\x02\x00"));  // a TLS ClientHello
    CHECK_FALSE(plausible_request_start(" GET / HTTP/1.1"));
    CHECK_FALSE(plausible_request_start("HELLO THERE\r\n"));
    CHECK_FALSE(plausible_request_start("GET /\r\n"));
    // Lines end in CRLF only: a bare LF or CR gets its 400 now (RFC 9112 §2.2 allows refusing it).
    CHECK(plausible_request_start("GET /chat HTTP/1.1\r"));
    CHECK(plausible_request_start("GET /chat HTTP/1.1\r\nHost: a\r\n\r"));
    CHECK_FALSE(plausible_request_start("GET /chat HTTP/1.1\n"));
    CHECK_FALSE(plausible_request_start("GET /chat HTTP/1.1\nHost: a\n\n"));
    CHECK_FALSE(plausible_request_start("GET /chat HTTP/1.1\r\nHost: a\n"));
    CHECK_FALSE(plausible_request_start("GET /chat HTTP/1.1\r\nHost: a\r\r\n"));
    CHECK_FALSE(plausible_request_start("GET /chat HTTP/1.1\r\nHost: a\rb"));
    CHECK_FALSE(plausible_request_start("GET /chat HTTP/1.1\r\n\n"));
}

TEST_CASE("a server connection answers 400 at once to a request whose lines end in a bare LF")
{
    // Without this the whole head waits for a CRLF CRLF that never comes, until the timeout.
    const std::string request = "GET /chat HTTP/1.1\nHost: a\nUpgrade: websocket\n\n";
    vws::Connection conn(vws::Limits{});
    vws::Event e;
    size_t fed = 0;
    while (fed < request.size() && e.type != vws::EventType::failed) {
        conn.input_space()[0] = static_cast<uint8_t>(request[fed++]);
        conn.received(1);
        e = conn.next_event();
    }
    CHECK(e.type == vws::EventType::failed);
    CHECK(fed == std::string("GET /chat HTTP/1.1\n").size());
    CHECK(vws::fault_name(e.fault) == std::string("bad_request_line"));
    CHECK(conn.http_status() == 400);
}

TEST_CASE("a server connection answers 400 to a TLS hello at its first byte, fed byte by byte")
{
    vws::Connection conn(vws::Limits{});
    const std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    auto space = conn.input_space();
    space[0] = static_cast<uint8_t>(hello[0]);
    conn.received(1);
    const vws::Event e = conn.next_event();
    CHECK(e.type == vws::EventType::failed);
    CHECK(e.fault == vws::Fault::bad_request_line);
    CHECK(conn.http_status() == 400);
    CHECK(std::string(reinterpret_cast<const char*>(conn.output().data()), 12) == "HTTP/1.1 400");
}
