// Plain HTTP on a WebSocket port (plain_http.hpp, http_date.hpp): which file a
// path names (traversal in every spelling refused), content types, HTTP dates
// in their three forms, If-Modified-Since, 405 and HEAD, --header checks,
// --same-origin; and a Connection with Policy::plain_http: the http_request
// event, a body pulled from a BodySource with bounded output, a short file.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "driver.hpp"
#include "vws/cgi_env.hpp"
#include "vws/http_date.hpp"
#include "vws/plain_http.hpp"
#include "vws/policy.hpp"

using namespace vws_test;
using vws::Fault;
using vws::Policy;
using vws::State;

namespace {

vws::Request plain(const std::string& method, const std::string& target, const std::vector<std::string>& extra = {}) {
    std::string head = method + " " + target + " HTTP/1.1\r\nHost: www.test:8080\r\n";
    for (const auto& h : extra) head += h + "\r\n";
    head += "\r\n";
    vws::Request r;
    REQUIRE(vws::parse_request_head(head, {}, r) == Fault::none);
    return r;
}

} // namespace

TEST_CASE("plain_http: request paths name files beneath the directory") {
    using O = std::optional<std::string>;
    CHECK(vws::static_file_name("/") == O("index.html"));
    CHECK(vws::static_file_name("/app.js") == O("app.js"));
    CHECK(vws::static_file_name("/a/b/c.css") == O("a/b/c.css"));
    CHECK(vws::static_file_name("/docs/") == O("docs/index.html"));
    CHECK(vws::static_file_name("/with%20space.txt") == O("with space.txt"));
    CHECK(vws::static_file_name("/%41.txt") == O("A.txt"));
    CHECK(vws::static_file_name("/caf%C3%A9.html") == O("caf\xC3\xA9.html"));
}

TEST_CASE("plain_http: traversal, hidden names and odd paths name no file") {
    const char* refused[] = {
        "/..", "/../etc/passwd", "/a/../../x", "/a/..", "/.", "/./index.html", "/a/./b",
        "/%2e%2e/secret", "/%2E%2E/secret", "/.%2e/x", "/%2e./x", "/a/%2e%2e/%2e%2e/x",
        "/%2e", "/.git/config", "/.env", "/a/.hidden", "/%2egit/config",
        "/a%2fb", "/a%2F..%2Fb", "/a%5c..%5cb", "/%00", "/a%00.html", "/%0d%0a", "/%7f",
        "/%", "/%4", "/%zz", "/%g0", "//etc/passwd", "/a//b", "", "relative", "*",
    };
    for (const char* p : refused) {
        CAPTURE(p);
        CHECK_FALSE(vws::static_file_name(p).has_value());
    }
    CHECK_FALSE(vws::static_file_name("/" + std::string(256, 'a')).has_value());
    CHECK(vws::static_file_name("/" + std::string(255, 'a')).has_value());
    std::string deep;
    while (deep.size() <= 1024) deep += "/d";
    CHECK_FALSE(vws::static_file_name(deep).has_value());
}

TEST_CASE("plain_http: content types by extension, case-insensitive, octet-stream otherwise") {
    CHECK(vws::content_type_for("index.html") == "text/html; charset=utf-8");
    CHECK(vws::content_type_for("A/B.CSS") == "text/css; charset=utf-8");
    CHECK(vws::content_type_for("m.mjs") == "text/javascript; charset=utf-8");
    CHECK(vws::content_type_for("x.js") == "text/javascript; charset=utf-8");
    CHECK(vws::content_type_for("d.json") == "application/json");
    CHECK(vws::content_type_for("i.svg") == "image/svg+xml");
    CHECK(vws::content_type_for("i.png") == "image/png");
    CHECK(vws::content_type_for("i.jpeg") == "image/jpeg");
    CHECK(vws::content_type_for("i.jpg") == "image/jpeg");
    CHECK(vws::content_type_for("i.gif") == "image/gif");
    CHECK(vws::content_type_for("favicon.ico") == "image/vnd.microsoft.icon");
    CHECK(vws::content_type_for("m.wasm") == "application/wasm");
    CHECK(vws::content_type_for("r.txt") == "text/plain; charset=utf-8");
    CHECK(vws::content_type_for("f.woff2") == "font/woff2");
    CHECK(vws::content_type_for("archive.tar.gz") == "application/octet-stream");
    CHECK(vws::content_type_for("Makefile") == "application/octet-stream");
    CHECK(vws::content_type_for("dir.html/file") == "application/octet-stream");
}

TEST_CASE("http_date: IMF-fixdate out, all three RFC 9110 forms in") {
    CHECK(vws::format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(vws::format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(vws::format_http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK(vws::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(vws::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
    CHECK(vws::parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
    CHECK(vws::parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT") == 951782400);
    for (int64_t t : {int64_t(0), int64_t(1), int64_t(86399), int64_t(1700000000), int64_t(4102444800)})
        CHECK(vws::parse_http_date(vws::format_http_date(t)) == t);
}

TEST_CASE("http_date: garbage is no date") {
    const char* bad[] = {
        "", "garbage", "0", "-1", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 GMT trailing", "Sun, 32 Jan 1994 08:49:37 GMT",
        "Sun, 30 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "1994-11-06T08:49:37Z",
        "Sun, 06 Nov 1994 08:49:37 GMT\r\nX: y", "\xff\xfe",
    };
    for (const char* s : bad) {
        CAPTURE(s);
        CHECK_FALSE(vws::parse_http_date(s).has_value());
    }
}

TEST_CASE("plain_http: a file's answer, 304 only for a valid If-Modified-Since") {
    const vws::FileFacts f{1234, 784111777};
    const int64_t now = 784111777 + 3600;
    auto a = vws::file_answer(plain("GET", "/x.json"), "x.json", f, now, "X-A: b\r\n");
    CHECK(a.status == 200);
    CHECK(a.body_size == 1234);
    CHECK(a.head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(a.head.find("\r\nContent-Type: application/json\r\n") != std::string::npos);
    CHECK(a.head.find("\r\nContent-Length: 1234\r\n") != std::string::npos);
    CHECK(a.head.find("\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n") != std::string::npos);
    CHECK(a.head.find("\r\nDate: Sun, 06 Nov 1994 09:49:37 GMT\r\n") != std::string::npos);
    CHECK(a.head.find("\r\nX-A: b\r\nConnection: close\r\n\r\n") != std::string::npos);

    auto head = vws::file_answer(plain("HEAD", "/x.json"), "x.json", f, now, "");
    CHECK(head.status == 200);
    CHECK(head.body_size == 0);  // the length is announced, nothing follows
    CHECK(head.head.find("\r\nContent-Length: 1234\r\n") != std::string::npos);

    struct Case { const char* ims; int status; };
    const Case cases[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 304},   // the file's own time
        {"Sun, 06 Nov 1994 09:00:00 GMT", 304},   // later than the file, before now
        {"Sunday, 06-Nov-94 08:49:37 GMT", 304},  // the obsolete forms count too
        {"Sun Nov  6 08:49:37 1994", 304},
        {"Sun, 06 Nov 1994 08:49:36 GMT", 200},   // a second before the file's time
        {"Sun, 06 Nov 1994 10:49:37 GMT", 200},   // after our clock: invalid (§13.1.3)
        {"garbage", 200}, {"", 200}, {"Sun, 06 Nov 1994 08:49:37 GMT garbage", 200},
    };
    for (const Case& c : cases) {
        CAPTURE(c.ims);
        auto r = vws::file_answer(plain("GET", "/x.json", {std::string("If-Modified-Since: ") + c.ims}), "x.json", f, now, "");
        CHECK(r.status == c.status);
        if (c.status == 304) {
            CHECK(r.body_size == 0);
            CHECK(r.head.rfind("HTTP/1.1 304 Not Modified\r\n", 0) == 0);
            CHECK(r.head.find("Content-Length") == std::string::npos);
        }
    }
}

TEST_CASE("plain_http: text answers; 405 names GET and HEAD; HEAD gets no body") {
    auto a = vws::text_answer(plain("POST", "/"), 405, "only GET and HEAD", "");
    CHECK(a.status == 405);
    CHECK(a.head.rfind("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n", 0) == 0);
    CHECK(a.head.substr(a.head.size() - 18) == "only GET and HEAD\n");
    auto h = vws::text_answer(plain("HEAD", "/nope"), 404, "not found", "");
    CHECK(h.head.find("Content-Length: 10\r\n") != std::string::npos);
    CHECK(h.head.substr(h.head.size() - 4) == "\r\n\r\n");
    auto page = vws::devconsole_answer(plain("GET", "/"), "");
    CHECK(page.head.find("Content-Type: text/html; charset=utf-8") != std::string::npos);
    CHECK(page.head.find("new WebSocket(") != std::string::npos);
    // Self-contained: nothing fetched from elsewhere.
    CHECK(page.head.find("src=") == std::string::npos);
    CHECK(page.head.find("href=") == std::string::npos);
    CHECK(page.head.find("@import") == std::string::npos);
}

TEST_CASE("plain_http: --header lines are checked") {
    std::string why;
    CHECK(vws::extra_header_line("X-Frame-Options: DENY", why) == std::optional<std::string>("X-Frame-Options: DENY\r\n"));
    CHECK(vws::extra_header_line("Cache-Control:no-store ", why) == std::optional<std::string>("Cache-Control: no-store\r\n"));
    CHECK(vws::extra_header_line("X-Empty:", why) == std::optional<std::string>("X-Empty: \r\n"));
    const char* bad[] = {
        "X-A: b\r\nSet-Cookie: x=1", "X-A: b\nX-B: c", "X-A: b\r", "X-A: \x01", "X-A: \x7f",
        "No colon", ": value", "Bad Name: v", "X(A): v", "X\r\nY: v", "Content-Length: 5",
        "transfer-encoding: chunked", "Connection: keep-alive", "Upgrade: h2c", "Content-Type: text/html",
        "Sec-WebSocket-Accept: x", "sec-websocket-protocol: chat",
    };
    for (const char* b : bad) {
        CAPTURE(b);
        why.clear();
        CHECK_FALSE(vws::extra_header_line(b, why).has_value());
        CHECK_FALSE(why.empty());
    }
}

TEST_CASE("policy: --same-origin compares the Origin's host and port with Host's") {
    CHECK(vws::same_origin_as_host("http://a.test:8080", "a.test:8080"));
    CHECK(vws::same_origin_as_host("https://A.Test", "a.test"));
    CHECK(vws::same_origin_as_host("https://a.test", "a.test:443"));
    CHECK(vws::same_origin_as_host("http://a.test:80", "a.test"));
    CHECK(vws::same_origin_as_host("http://[::1]:8080", "[::1]:8080"));
    CHECK_FALSE(vws::same_origin_as_host("http://a.test:8080", "a.test:8081"));
    CHECK_FALSE(vws::same_origin_as_host("http://a.test", "a.test:443"));
    CHECK_FALSE(vws::same_origin_as_host("https://evil.test", "a.test"));
    CHECK_FALSE(vws::same_origin_as_host("https://a.test.evil.test", "a.test"));
    CHECK_FALSE(vws::same_origin_as_host("null", "a.test"));
    CHECK_FALSE(vws::same_origin_as_host("file://", "a.test"));
    CHECK_FALSE(vws::same_origin_as_host("http://a.test/path", "a.test"));
    CHECK_FALSE(vws::same_origin_as_host("http://", ""));

    Policy p;
    p.same_origin = true;
    auto upgrade = [](const std::string& origin) {
        std::string head = "GET / HTTP/1.1\r\nHost: a.test:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        if (!origin.empty()) head += "Origin: " + origin + "\r\n";
        vws::Request r;
        REQUIRE(vws::parse_request(head + "\r\n", {}, r) == Fault::none);
        return r;
    };
    CHECK(vws::decide(upgrade("http://a.test:8080"), p).fault == Fault::none);
    CHECK(vws::decide(upgrade("http://b.test:8080"), p).fault == Fault::origin_not_allowed);
    CHECK(vws::decide(upgrade(""), p).fault == Fault::none);  // not a browser
    p.same_origin = false;
    CHECK(vws::decide(upgrade("http://b.test:8080"), p).fault == Fault::none);
}

TEST_CASE("plain_http: the console page is refused where its own origin would be") {
    const auto req = plain("GET", "/");  // Host: www.test:8080
    CHECK(vws::page_origin_allowed(req, {}, false));
    CHECK(vws::page_origin_allowed(req, {}, true));
    CHECK(vws::page_origin_allowed(req, {"www.test"}, false));
    CHECK(vws::page_origin_allowed(req, {"https://www.test:8080"}, false));
    CHECK_FALSE(vws::page_origin_allowed(req, {"other.test"}, false));
    CHECK_FALSE(vws::page_origin_allowed(req, {"https://www.test"}, false));
}

TEST_CASE("cgi_env: --pass-env keeps the names given, PATH and the ucspi set") {
    const std::vector<std::string> env = {"PATH=/bin", "SECRET_TOKEN=x", "HOME=/root", "PROTO=TCP",
                                          "TCPREMOTEIP=1.2.3.4", "TCP6REMOTEIP=::1", "LANG=C", "LANGUAGE=en"};
    CHECK(vws::pass_environment(env, {"LANG"}) ==
          std::vector<std::string>{"PATH=/bin", "PROTO=TCP", "TCPREMOTEIP=1.2.3.4", "TCP6REMOTEIP=::1", "LANG=C"});
    CHECK(vws::pass_environment(env, {}) ==
          std::vector<std::string>{"PATH=/bin", "PROTO=TCP", "TCPREMOTEIP=1.2.3.4", "TCP6REMOTEIP=::1"});
}

// --- through a server Connection -------------------------------------------

namespace {

// A body of `size` bytes 'a'..'z', handed out at most `step` bytes a read;
// `short_by` bytes fewer than promised (a file that shrank).
struct Letters : vws::BodySource {
    uint64_t left;
    size_t step;
    uint64_t served = 0;
    Letters(uint64_t size, size_t s) : left(size), step(s) {}
    size_t read_body(uint8_t* buf, size_t size) override {
        const size_t n = static_cast<size_t>(std::min<uint64_t>({left, size, step}));
        for (size_t i = 0; i < n; ++i) buf[i] = static_cast<uint8_t>('a' + (served + i) % 26);
        left -= n;
        served += n;
        return n;
    }
};

Policy plain_policy() {
    Policy p;
    p.plain_http = true;
    p.headers_http = "X-Http: 1\r\n";
    p.headers_101 = "X-Ws: 1\r\n";
    return p;
}

} // namespace

TEST_CASE("connection: a plain GET is handed out as http_request, and respond() streams a body") {
    for (size_t chunk : chunkings) {
        CAPTURE(chunk);
        vws::Connection conn(vws::Limits{}, plain_policy());
        Peer peer(conn, 4096);
        peer.feed("GET /big.bin HTTP/1.1\r\nHost: h\r\n\r\n", chunk);
        REQUIRE(summary(peer.events) == "http_request");
        CHECK(conn.state() == State::deciding);
        CHECK(conn.plain_request());
        CHECK(conn.request().path == "/big.bin");
        conn.accept();  // ignored: this is no upgrade
        CHECK(conn.state() == State::deciding);
        CHECK(conn.output_size() == 0);

        const uint64_t size = 1'000'003;
        Letters body(size, 10'000);
        conn.respond(200, "HTTP/1.1 200 OK\r\nContent-Length: 1000003\r\n\r\n", &body, size);
        CHECK(conn.state() == State::closed);
        CHECK(conn.http_status() == 200);
        // Pulled a chunk at a time as output drains: never the whole body.
        size_t most = 0;
        std::string got;
        while (conn.output_size() > 0) {
            most = std::max(most, conn.output_size());
            auto o = conn.output();
            const size_t n = std::min<size_t>(o.size(), 3000);
            got.append(reinterpret_cast<const char*>(o.data()), n);
            conn.sent(n);
        }
        CHECK(most <= 2 * 65536 + 100);
        CHECK(conn.body_left() == 0);
        CHECK(conn.fault() == Fault::none);
        const size_t body_at = got.find("\r\n\r\n") + 4;
        REQUIRE(got.size() - body_at == size);
        CHECK(got.substr(body_at, 5) == "abcde");
        CHECK(got.back() == static_cast<char>('a' + (size - 1) % 26));
    }
}

TEST_CASE("connection: a body that ends early fails the connection short of its length") {
    vws::Connection conn(vws::Limits{}, plain_policy());
    Peer peer(conn);
    peer.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    Letters body(100, 100);
    conn.respond(200, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", &body, 500);
    peer.take_output();
    CHECK(conn.state() == State::failed);
    CHECK(conn.fault() == Fault::server_error);
    CHECK(peer.out.size() == std::string("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n").size() + 100);
}

TEST_CASE("connection: with plain_http, upgrades still work and carry --header-ws, errors --header-http") {
    vws::Connection conn(vws::Limits{}, plain_policy());
    Peer peer(conn);
    peer.feed(request, 0);
    CHECK(summary(peer.events) == "request");
    CHECK(conn.state() == State::open);
    CHECK(peer.head().find("\r\nX-Ws: 1\r\n") != std::string::npos);
    CHECK(peer.head().find("X-Http") == std::string::npos);

    // Asking for websocket but breaking the handshake is a handshake error, not a page.
    vws::Connection bad(vws::Limits{}, plain_policy());
    Peer bad_peer(bad);
    bad_peer.feed("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n", 0);
    CHECK(bad.http_status() == 400);
    CHECK(bad_peer.out.find("\r\nX-Http: 1\r\n") != std::string::npos);
    CHECK(bad_peer.out.find("X-Ws") == std::string::npos);

    // Without plain_http a plain GET is still 426, and the health path still answers.
    vws::Connection off(vws::Limits{}, Policy{});
    Peer off_peer(off);
    off_peer.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    CHECK(off.http_status() == 426);
    vws::Connection health(vws::Limits{}, plain_policy());
    Peer health_peer(health);
    health_peer.feed("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    CHECK(health.http_status() == 200);
    CHECK(health_peer.events.empty());
    CHECK(health_peer.out.find("\r\nX-Http: 1\r\n") != std::string::npos);
}

TEST_CASE("connection: plain requests need a Host on HTTP/1.1 and pass --host") {
    Policy p = plain_policy();
    p.hosts = {"www.test"};
    struct Case { const char* head; int status; };
    const Case cases[] = {
        {"GET / HTTP/1.1\r\nHost: www.test\r\n\r\n", 0},
        {"GET / HTTP/1.0\r\n\r\n", 403},  // no Host: not one we serve
        {"GET / HTTP/1.1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n", 403},
        {"GET / HTTP/2.0\r\nHost: www.test\r\n\r\n", 400},
    };
    for (const Case& c : cases) {
        CAPTURE(c.head);
        vws::Connection conn(vws::Limits{}, p);
        Peer peer(conn);
        peer.feed(c.head, 0);
        CHECK(conn.http_status() == c.status);
        CHECK(conn.plain_request());
    }
}
