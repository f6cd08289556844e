// The child's environment (cgi_env.hpp): CGI variables (RFC 3875 names, as
// websocketd sets them), HTTP_* only for names of [A-Za-z0-9-], no HTTP_PROXY
// ("httpoxy"), repeated headers joined, and the layering of inherited,
// CGI and --env entries with a drop list.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "vws/cgi_env.hpp"

using vws::Fault;

namespace {

using Env = std::vector<std::string>;

vws::Request parsed(const std::vector<std::string>& extra, const std::string& target = "/chat/room?x=1&y=2") {
    std::string head = "GET " + target + " HTTP/1.1\r\nHost: h.test:8080\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n";
    for (const auto& h : extra) head += h + "\r\n";
    head += "\r\n";
    vws::Request r;
    REQUIRE(vws::parse_request(head, {}, r) == Fault::none);
    return r;
}

// Every entry named `name`, as "NAME=VALUE".
Env entries(const Env& env, const std::string& name) {
    Env out;
    for (const auto& e : env)
        if (e.compare(0, name.size() + 1, name + "=") == 0) out.push_back(e);
    return out;
}

// The one value of `name`; "<absent>" or "<repeated>" otherwise.
std::string value(const Env& env, const std::string& name) {
    const Env e = entries(env, name);
    if (e.empty()) return "<absent>";
    if (e.size() > 1) return "<repeated>";
    return e[0].substr(name.size() + 1);
}

} // namespace

TEST_CASE("cgi_env: http_variable_name passes only names of [A-Za-z0-9-]") {
    struct C { const char* header; const char* want; };
    for (const C& c : {C{"X-Forwarded-For", "HTTP_X_FORWARDED_FOR"},
                       C{"user-agent", "HTTP_USER_AGENT"},
                       C{"Sec-WebSocket-Key", "HTTP_SEC_WEBSOCKET_KEY"},
                       C{"X-Num-42", "HTTP_X_NUM_42"},
                       C{"-", "HTTP__"},
                       // Names that would fold onto another header's variable are not passed
                       // (as nginx and Apache do): '_', and any byte outside [A-Za-z0-9-].
                       C{"X_Forwarded_For", ""},
                       C{"X-Forwarded_For", ""},
                       C{"X-Auth.User", ""},
                       C{"X.Dot!Bang~", ""},
                       C{"X-\xc3\xa9t\xc3\xa9", ""},
                       C{"X=Y", ""},
                       C{"X Y", ""},
                       // httpoxy: never a proxy setting from a request, in any spelling.
                       C{"Proxy", ""},
                       C{"PROXY", ""},
                       C{"pro.xy", ""},
                       C{"Proxy-Authorization", "HTTP_PROXY_AUTHORIZATION"},
                       C{"!!!", ""},
                       C{"", ""}}) {
        CAPTURE(c.header);
        CHECK(vws::http_variable_name(c.header) == c.want);
    }
}

TEST_CASE("cgi_env: cgi_variables sets the CGI names from the request and context") {
    vws::CgiContext ctx;
    ctx.remote_addr = "192.0.2.1";
    ctx.remote_port = "40000";
    ctx.server_name = "h.test";
    ctx.server_port = "8080";
    ctx.script_name = "/chat";
    ctx.path_info = "/room";
    ctx.protocol = "v1";
    const Env env = vws::cgi_variables(parsed({}), ctx);
    CHECK(value(env, "GATEWAY_INTERFACE") == "CGI/1.1");
    CHECK(value(env, "SERVER_SOFTWARE") == "vws");
    CHECK(value(env, "SERVER_PROTOCOL") == "HTTP/1.1");
    CHECK(value(env, "SERVER_NAME") == "h.test");
    CHECK(value(env, "SERVER_PORT") == "8080");
    CHECK(value(env, "REQUEST_METHOD") == "GET");
    CHECK(value(env, "REQUEST_URI") == "/chat/room?x=1&y=2");
    CHECK(value(env, "SCRIPT_NAME") == "/chat");
    CHECK(value(env, "PATH_INFO") == "/room");
    CHECK(value(env, "QUERY_STRING") == "x=1&y=2");
    CHECK(value(env, "REMOTE_ADDR") == "192.0.2.1");
    CHECK(value(env, "REMOTE_PORT") == "40000");
    CHECK(value(env, "REMOTE_HOST") == "192.0.2.1");  // no name: the address
    CHECK(value(env, "WEBSOCKET_PROTOCOL") == "v1");
    CHECK(value(env, "HTTP_HOST") == "h.test:8080");
    CHECK(value(env, "HTTP_SEC_WEBSOCKET_VERSION") == "13");
    // Unsupported names are set empty, so our own environment never passes for the client's.
    for (const char* name : {"AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "REMOTE_IDENT", "REMOTE_USER"}) {
        CAPTURE(name);
        CHECK(value(env, name) == "");
    }
    ctx.remote_host = "client.test";
    CHECK(value(vws::cgi_variables(parsed({}), ctx), "REMOTE_HOST") == "client.test");
}

TEST_CASE("cgi_env: HTTP_* for headers: odd names dropped, no HTTP_PROXY, repeats joined with \", \"") {
    const vws::Request req = parsed({
        "Proxy: http://evil.test:3128",
        "X-Forwarded-For: 1.1.1.1",
        "x-forwarded-for: 2.2.2.2",
        "X-Forwarded-For: 3.3.3.3",
        "Cookie: a=1",
        "X.Odd!Name: v",
        "X-Empty:",
    });
    const Env env = vws::cgi_variables(req, {});
    CHECK(entries(env, "HTTP_PROXY").empty());
    CHECK(value(env, "HTTP_X_FORWARDED_FOR") == "1.1.1.1, 2.2.2.2, 3.3.3.3");
    CHECK(value(env, "HTTP_COOKIE") == "a=1");
    CHECK(value(env, "HTTP_XODDNAME") == "<absent>");
    CHECK(value(env, "HTTP_X_EMPTY") == "");
    CHECK(vws::dropped_headers(req) == 2);  // Proxy, X.Odd!Name
    // Every entry is NAME=VALUE with a clean name.
    for (const auto& e : env) {
        CAPTURE(e);
        const size_t eq = e.find('=');
        REQUIRE(eq != std::string::npos);
        CHECK(eq > 0);
        CHECK(std::all_of(e.begin(), e.begin() + static_cast<long>(eq), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }));
    }
}

TEST_CASE("cgi_env: a client cannot add to what a proxy's header sets") {
    // The review's vectors: these became HTTP_X_FORWARDED_FOR=6.6.6.6, ... and HTTP_X_AUTHUSER=admin.
    const vws::Request req = parsed({"X_Forwarded_For: 6.6.6.6", "X-Forwarded-For: 203.0.113.9",
                                     "X-Auth.User: admin", "X-Forwarded.For: 7.7.7.7", "x-a: 1", "X_A: 2"});
    const Env env = vws::cgi_variables(req, {});
    CHECK(value(env, "HTTP_X_FORWARDED_FOR") == "203.0.113.9");
    CHECK(value(env, "HTTP_X_AUTHUSER") == "<absent>");
    CHECK(value(env, "HTTP_X_AUTH_USER") == "<absent>");
    CHECK(value(env, "HTTP_X_A") == "1");
    CHECK(vws::dropped_headers(req) == 4);
    CHECK(vws::dropped_headers(parsed({})) == 0);
}

TEST_CASE("cgi_env: a request header cannot set a CGI variable") {
    // HTTP_ is always the prefix: "Remote-Addr" is HTTP_REMOTE_ADDR, not REMOTE_ADDR.
    vws::CgiContext ctx;
    ctx.remote_addr = "192.0.2.1";
    const Env env = vws::cgi_variables(parsed({"Remote-Addr: 6.6.6.6", "Query-String: evil"}), ctx);
    CHECK(value(env, "REMOTE_ADDR") == "192.0.2.1");
    CHECK(value(env, "HTTP_REMOTE_ADDR") == "6.6.6.6");
    CHECK(value(env, "QUERY_STRING") == "x=1&y=2");
}

TEST_CASE("cgi_env: merge_environment layers, replacing in place, and drops") {
    const Env inherited = {"PATH=/bin", "LISTEN_FDS=1", "HOME=/root", "REMOTE_ADDR=stale", "LISTEN_PID=9"};
    const Env cgi = {"REMOTE_ADDR=192.0.2.1", "QUERY_STRING="};
    const Env opts = {"HOME=/srv", "EXTRA=a=b c", "REMOTE_ADDR=forced"};
    const Env merged = vws::merge_environment(inherited, {cgi, opts}, {"LISTEN_FDS", "LISTEN_PID"});
    // Later layers replace earlier ones where they stood; new names are appended in order.
    CHECK(merged == Env{"PATH=/bin", "HOME=/srv", "REMOTE_ADDR=forced", "QUERY_STRING=", "EXTRA=a=b c"});
}

TEST_CASE("cgi_env: merge_environment ignores entries that are not NAME=VALUE") {
    const Env merged = vws::merge_environment({"NOEQUALS", "=value", "A=1", "A=2"}, {{"B="}}, {});
    CHECK(merged == Env{"A=2", "B="});
}

TEST_CASE("cgi_env: the drop list applies to every layer, by whole name") {
    const Env merged = vws::merge_environment({"LISTEN_FDS=1", "LISTEN_FDS_X=kept"},
                                              {{"LISTEN_FDS=2"}}, {"LISTEN_FDS"});
    CHECK(merged == Env{"LISTEN_FDS_X=kept"});
    CHECK(vws::merge_environment({}, {}, {}).empty());
}
