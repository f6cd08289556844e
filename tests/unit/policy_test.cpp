// The access policy (policy.hpp): origin allow-list in its three forms, Host
// names, the subprotocol choice (the client's order, RFC 6455 §4.2.2),
// --require-protocol, the client's address from a trusted proxy, comma lists;
// and the health path through a server Connection.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "driver.hpp"
#include "vws/policy.hpp"

using namespace vws_test;
using vws::Fault;
using vws::Policy;
using vws::State;

namespace {

// A valid upgrade request with extra header lines, parsed.
vws::Request parsed(const std::vector<std::string>& extra, const std::string& host = "server.example.com") {
    std::string head = "GET /chat HTTP/1.1\r\nHost: " + host +
                       "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    for (const auto& h : extra) head += h + "\r\n";
    head += "\r\n";
    vws::Request r;
    REQUIRE(vws::parse_request(head, {}, r) == Fault::none);
    return r;
}

Fault origin_fault(const std::string& origin, const std::vector<std::string>& allowed) {
    Policy p;
    p.origins = allowed;
    return vws::decide(parsed({"Origin: " + origin}), p).fault;
}

} // namespace

TEST_CASE("policy: origin allow-list, exact form (scheme, host and port)") {
    const std::vector<std::string> allowed = {"https://app.example.com"};
    struct C { const char* origin; Fault want; };
    for (const C& c : {C{"https://app.example.com", Fault::none},
                       C{"HTTPS://App.Example.COM", Fault::none},
                       C{"http://app.example.com", Fault::origin_not_allowed},
                       C{"https://app.example.com:8443", Fault::origin_not_allowed},
                       C{"https://evil.example.com", Fault::origin_not_allowed},
                       C{"https://app.example.com.evil.net", Fault::origin_not_allowed},
                       C{"null", Fault::origin_not_allowed}}) {
        CAPTURE(c.origin);
        CHECK(origin_fault(c.origin, allowed) == c.want);
    }
}

TEST_CASE("policy: origin allow-list, host form (any scheme and port)") {
    const std::vector<std::string> allowed = {"app.example.com"};
    struct C { const char* origin; Fault want; };
    for (const C& c : {C{"https://app.example.com", Fault::none},
                       C{"http://app.example.com:8080", Fault::none},
                       C{"http://APP.example.com", Fault::none},
                       C{"https://x.app.example.com", Fault::origin_not_allowed},
                       C{"https://evilapp.example.com", Fault::origin_not_allowed},
                       C{"https://app.example.com.evil.net", Fault::origin_not_allowed},
                       C{"https://example.com", Fault::origin_not_allowed},
                       C{"null", Fault::origin_not_allowed}}) {
        CAPTURE(c.origin);
        CHECK(origin_fault(c.origin, allowed) == c.want);
    }
}

TEST_CASE("policy: origin allow-list, wildcard form (subdomains only)") {
    const std::vector<std::string> allowed = {"*.example.com"};
    struct C { const char* origin; Fault want; };
    for (const C& c : {C{"https://a.example.com", Fault::none},
                       C{"http://a.b.example.com:81", Fault::none},
                       C{"https://example.com", Fault::origin_not_allowed},
                       C{"https://badexample.com", Fault::origin_not_allowed},
                       C{"https://a.example.com.evil.net", Fault::origin_not_allowed},
                       C{"https://.example.com", Fault::origin_not_allowed}}) {
        CAPTURE(c.origin);
        CHECK(origin_fault(c.origin, allowed) == c.want);
    }
}

TEST_CASE("policy: several allowed origins; an empty list allows any; a missing Origin passes") {
    const std::vector<std::string> allowed = {"https://a.test", "b.test", "*.c.test"};
    CHECK(origin_fault("https://a.test", allowed) == Fault::none);
    CHECK(origin_fault("http://b.test:1", allowed) == Fault::none);
    CHECK(origin_fault("https://x.c.test", allowed) == Fault::none);
    CHECK(origin_fault("https://d.test", allowed) == Fault::origin_not_allowed);
    CHECK(origin_fault("https://anything.example", {}) == Fault::none);

    Policy p;
    p.origins = {"https://a.test"};
    // RFC 6455 §10.2: Origin protects browsers; a client without it is not one.
    CHECK(vws::decide(parsed({}), p).fault == Fault::none);

    CHECK(vws::origin_allowed("https://a.test", {}));
    CHECK(vws::origin_allowed("  https://a.test ", {"https://a.test"}));
    CHECK_FALSE(vws::origin_allowed("https://b.test", {"https://a.test"}));
}

TEST_CASE("policy: Host names served") {
    Policy p;
    p.hosts = {"server.example.com", "*.apps.test", "[::1]"};
    struct C { const char* host; Fault want; };
    for (const C& c : {C{"server.example.com", Fault::none},
                       C{"server.example.com:8080", Fault::none},
                       C{"SERVER.Example.Com", Fault::none},
                       C{"a.apps.test", Fault::none},
                       C{"a.apps.test:443", Fault::none},
                       C{"[::1]:8080", Fault::none},
                       C{"apps.test", Fault::host_not_allowed},
                       C{"other.example.com", Fault::host_not_allowed},
                       C{"server.example.com.evil.net", Fault::host_not_allowed},
                       C{"127.0.0.1", Fault::host_not_allowed}}) {
        CAPTURE(c.host);
        CHECK(vws::decide(parsed({}, c.host), p).fault == c.want);
    }
    CHECK(vws::decide(parsed({}, "anything.test"), Policy{}).fault == Fault::none);
}

TEST_CASE("policy: the Host check comes before the origin check") {
    Policy p;
    p.hosts = {"server.example.com"};
    p.origins = {"https://ok.test"};
    CHECK(vws::decide(parsed({"Origin: https://bad.test"}, "other.test"), p).fault == Fault::host_not_allowed);
    CHECK(vws::decide(parsed({"Origin: https://bad.test"}), p).fault == Fault::origin_not_allowed);
    CHECK(vws::decide(parsed({"Origin: https://ok.test"}), p).fault == Fault::none);
}

TEST_CASE("policy: every Origin header is checked, and different ones are refused") {
    Policy p;
    p.origins = {"https://ok.test"};
    struct C { std::vector<std::string> headers; Fault with_list; Fault without_list; };
    for (const C& c : {
             C{{"Origin: https://ok.test", "Origin: https://ok.test"}, Fault::none, Fault::none},
             // The allowed one first no longer hides the other.
             C{{"Origin: https://ok.test", "Origin: https://evil.test"}, Fault::origin_not_allowed,
               Fault::origin_not_allowed},
             C{{"Origin: https://evil.test", "Origin: https://ok.test"}, Fault::origin_not_allowed,
               Fault::origin_not_allowed},
             C{{"Origin: https://evil.test", "Origin: https://evil.test"}, Fault::origin_not_allowed, Fault::none},
             C{{"Origin: https://ok.test", "X-Other: 1", "origin: https://ok.test:1"}, Fault::origin_not_allowed,
               Fault::origin_not_allowed},
         }) {
        CAPTURE(c.headers.back());
        CHECK(vws::fault_name(vws::decide(parsed(c.headers), p).fault) == std::string(vws::fault_name(c.with_list)));
        CHECK(vws::fault_name(vws::decide(parsed(c.headers), Policy{}).fault) ==
              std::string(vws::fault_name(c.without_list)));
    }
}

TEST_CASE("policy: subprotocol chosen in the client's order") {
    Policy p;
    p.protocols = {"a", "b", "c"};
    struct C { std::vector<std::string> headers; const char* want; };
    for (const C& c : {C{{"Sec-WebSocket-Protocol: b, a"}, "b"},
                       C{{"Sec-WebSocket-Protocol: x, c, a"}, "c"},
                       C{{"Sec-WebSocket-Protocol: a"}, "a"},
                       C{{"Sec-WebSocket-Protocol: x", "Sec-WebSocket-Protocol: c, b"}, "c"},
                       C{{"Sec-WebSocket-Protocol: x, y"}, ""},
                       C{{"Sec-WebSocket-Protocol: A"}, ""},
                       C{{}, ""}}) {
        CAPTURE(c.want);
        const vws::Decision d = vws::decide(parsed(c.headers), p);
        CHECK(d.fault == Fault::none);
        CHECK(d.protocol == c.want);
    }
    // Offers, but we speak none: no protocol, still accepted.
    CHECK(vws::decide(parsed({"Sec-WebSocket-Protocol: chat"}), Policy{}).protocol == "");
}

TEST_CASE("policy: require_protocol refuses clients that offer none of ours") {
    Policy p;
    p.protocols = {"a", "b"};
    p.require_protocol = true;
    CHECK(vws::decide(parsed({"Sec-WebSocket-Protocol: x, y"}), p).fault == Fault::no_acceptable_protocol);
    CHECK(vws::decide(parsed({}), p).fault == Fault::no_acceptable_protocol);
    const vws::Decision d = vws::decide(parsed({"Sec-WebSocket-Protocol: x, b"}), p);
    CHECK(d.fault == Fault::none);
    CHECK(d.protocol == "b");
    CHECK(vws::http_status_of(Fault::no_acceptable_protocol) == 400);
    CHECK(vws::http_status_of(Fault::origin_not_allowed) == 403);
    CHECK(vws::http_status_of(Fault::host_not_allowed) == 403);
}

TEST_CASE("policy: forwarded_client walks X-Forwarded-For from the right past trusted proxies") {
    const std::vector<std::string> trusted = {"10.0.0.1", "10.0.0.2"};
    struct C { std::vector<std::string> headers; const char* want; };
    for (const C& c : {
             C{{"X-Forwarded-For: 203.0.113.7"}, "203.0.113.7"},
             C{{"X-Forwarded-For: 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
             C{{"X-Forwarded-For: 203.0.113.7,10.0.0.1 , 10.0.0.2"}, "203.0.113.7"},
             // A client's own (forged) entries are left of the address the proxy saw.
             C{{"X-Forwarded-For: 6.6.6.6, 198.51.100.1, 10.0.0.1"}, "198.51.100.1"},
             // Repeated headers form one chain, in order.
             C{{"X-Forwarded-For: 6.6.6.6", "x-forwarded-for: 198.51.100.1, 10.0.0.1"}, "198.51.100.1"},
             // Every entry trusted: the leftmost.
             C{{"X-Forwarded-For: 10.0.0.2, 10.0.0.1"}, "10.0.0.2"},
             C{{"X-Real-IP:  192.0.2.5 "}, "192.0.2.5"},
             // X-Forwarded-For wins over X-Real-IP.
             C{{"X-Real-IP: 192.0.2.5", "X-Forwarded-For: 203.0.113.7"}, "203.0.113.7"},
             C{{"X-Forwarded-For: 2001:db8::1, 10.0.0.1"}, "2001:db8::1"},
             C{{}, ""},
         }) {
        CAPTURE(c.want);
        const vws::ForwardedClient got = vws::forwarded_client(parsed(c.headers), trusted);
        CHECK(got.addr == c.want);
        CHECK(got.bad == "");
    }
}

TEST_CASE("policy: forwarded_client takes only an IP literal; anything else is reported, not used") {
    const std::vector<std::string> trusted = {"10.0.0.1"};
    struct C { std::vector<std::string> headers; const char* bad; };
    for (const C& c : {
             // The review's vector: text that would forge fields of a log line.
             C{{"X-Forwarded-For: 9.9.9.9 remote_addr=1.1.1.1 \"q\""}, "9.9.9.9 remote_addr=1.1.1.1 \"q\""},
             C{{"X-Forwarded-For: 6.6.6.6, evil.example, 10.0.0.1"}, "evil.example"},
             C{{"X-Forwarded-For: 203.0.113.7:4711"}, "203.0.113.7:4711"},
             C{{"X-Forwarded-For: [2001:db8::1]"}, "[2001:db8::1]"},
             C{{"X-Forwarded-For: unknown"}, "unknown"},
             C{{"X-Real-IP: 192.0.2.5; rm -rf"}, "192.0.2.5; rm -rf"},
             // The rightmost untrusted entry decides: a good one further left does not rescue it.
             C{{"X-Forwarded-For: 203.0.113.7, 300.1.1.1"}, "300.1.1.1"},
         }) {
        CAPTURE(c.bad);
        const vws::ForwardedClient got = vws::forwarded_client(parsed(c.headers), trusted);
        CHECK(got.addr == "");
        CHECK(got.bad == c.bad);
    }
}

TEST_CASE("policy: split_comma_list") {
    using V = std::vector<std::string>;
    CHECK(vws::split_comma_list("a, b,c") == V{"a", "b", "c"});
    CHECK(vws::split_comma_list("") == V{});
    CHECK(vws::split_comma_list("one") == V{"one"});
}

TEST_CASE("policy: split_comma_list drops empty items and trims blanks and tabs") {
    using V = std::vector<std::string>;
    CHECK(vws::split_comma_list(" , ,a,, ") == V{"a"});
    CHECK(vws::split_comma_list("\tx \t,\ty") == V{"x", "y"});
    CHECK(vws::split_comma_list(",") == V{});
    CHECK(vws::split_comma_list("https://a.test, *.b.test") == V{"https://a.test", "*.b.test"});
}

// --- the policy through a server Connection ---------------------------------

namespace {

struct Served {
    vws::Connection conn;
    Peer peer;
    Served(const Policy& p, const std::string& input, size_t chunk) : conn(vws::Limits{}, p), peer(conn) {
        peer.feed(input, chunk);
    }
};

const std::string health_get = "GET /healthz HTTP/1.1\r\nHost: lb.test\r\n\r\n";

} // namespace

TEST_CASE("policy: a plain GET on the health path answers 200 ok and closes") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Served s(Policy{}, health_get, chunk);
        CHECK(s.peer.events.empty());
        CHECK(s.peer.out.rfind("HTTP/1.1 200 ", 0) == 0);
        CHECK(s.peer.out.find("\r\nContent-Length: 3\r\n") != std::string::npos);
        CHECK(s.peer.out.size() >= 3);
        CHECK(s.peer.out.substr(s.peer.out.size() - 7) == "\r\n\r\nok\n");
        CHECK(s.conn.state() == State::closed);
        CHECK(s.conn.ended());
        CHECK(s.conn.http_status() == 200);
        CHECK(s.conn.fault() == Fault::none);
        CHECK(s.conn.input_space().empty());
    }
}

TEST_CASE("policy: a custom health path, and none") {
    Policy p;
    p.health_path = "/up";
    {
        Served s(p, "GET /up?probe=1 HTTP/1.1\r\nHost: lb.test\r\n\r\n", 0);
        CHECK(s.conn.http_status() == 200);
        CHECK(s.conn.state() == State::closed);
    }
    {
        // The default path is no longer special: a plain GET gets 426.
        Served s(p, health_get, 0);
        CHECK(s.conn.http_status() == 426);
        CHECK(s.conn.fault() == Fault::missing_upgrade);
        CHECK(s.conn.state() == State::failed);
        CHECK(s.peer.out.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
    }
    p.health_path = "";
    Served off(p, "GET / HTTP/1.1\r\nHost: lb.test\r\n\r\n", 0);
    CHECK(off.conn.http_status() == 426);
}

TEST_CASE("policy: other plain requests get 426 or 405, not the health answer") {
    {
        Served s(Policy{}, "GET /other HTTP/1.1\r\nHost: lb.test\r\n\r\n", 0);
        CHECK(s.peer.out.rfind("HTTP/1.1 426 ", 0) == 0);
        CHECK(s.peer.out.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
        CHECK(s.conn.state() == State::failed);
    }
    {
        Served s(Policy{}, "POST /healthz HTTP/1.1\r\nHost: lb.test\r\nContent-Length: 0\r\n\r\n", 0);
        CHECK(s.conn.http_status() == 405);
        CHECK(s.conn.fault() == Fault::method_not_get);
    }
}

TEST_CASE("policy: a WebSocket upgrade on the health path still works") {
    const std::string upgrade = "GET /healthz HTTP/1.1\r\nHost: lb.test\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n\r\n";
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        Served s(Policy{}, upgrade + rfc_masked_hello, chunk);
        CHECK(summary(s.peer.events) == "request, text");
        CHECK(s.conn.state() == State::open);
        CHECK(s.conn.http_status() == 101);
        CHECK(s.peer.head().rfind("HTTP/1.1 101 ", 0) == 0);
    }
}

TEST_CASE("policy: a Connection answers the policy's faults and its protocol choice") {
    const std::string base = "GET / HTTP/1.1\r\nHost: h.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    Policy p;
    p.origins = {"https://ok.test"};
    p.protocols = {"v2", "v1"};
    {
        Served s(p, base + "Origin: https://bad.test\r\n\r\n", 0);
        CHECK(summary(s.peer.events) == "failed:origin_not_allowed");
        CHECK(s.peer.out.rfind("HTTP/1.1 403 ", 0) == 0);
    }
    {
        // accept() without an argument answers with the policy's choice.
        vws::Connection conn(vws::Limits{}, p);
        const std::string in = base + "Origin: https://ok.test\r\nSec-WebSocket-Protocol: v1, v2\r\n\r\n";
        auto space = conn.input_space();
        REQUIRE(space.size() >= in.size());
        std::memcpy(space.data(), in.data(), in.size());
        conn.received(in.size());
        CHECK(conn.next_event().type == vws::EventType::request);
        CHECK(conn.protocol() == "v1");
        conn.accept();
        CHECK(conn.state() == State::open);
        const std::string out(reinterpret_cast<const char*>(conn.output().data()), conn.output_size());
        CHECK(out.rfind("HTTP/1.1 101 ", 0) == 0);
        CHECK(out.find("\r\nSec-WebSocket-Protocol: v1\r\n") != std::string::npos);
    }
    {
        Served s(p, base + "Sec-WebSocket-Protocol: other\r\n\r\n", 0);
        CHECK(s.conn.state() == State::open);
        CHECK(s.peer.head().find("Sec-WebSocket-Protocol") == std::string::npos);
    }
    p.require_protocol = true;
    {
        Served s(p, base + "Sec-WebSocket-Protocol: other\r\n\r\n", 0);
        CHECK(summary(s.peer.events) == "failed:no_acceptable_protocol");
        CHECK(s.peer.out.rfind("HTTP/1.1 400 ", 0) == 0);
    }
}
