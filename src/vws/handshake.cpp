#include "vws/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace vws {

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

// Field values: visible characters, spaces and tabs; no other controls.
bool valid_field_value(std::string_view s)
{
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
    return true;
}

// Splits a head into its first line and headers. The head ends with CRLF CRLF.
Fault parse_head(std::string_view head, const HandshakeLimits& limits,
                 std::string_view& first_line, std::vector<Header>& headers)
{
    if (head.size() > limits.max_head) return Fault::head_too_large;
    size_t eol = head.find("\r\n");
    first_line = head.substr(0, eol);
    size_t pos = eol + 2;
    while (pos < head.size()) {
        eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos) return Fault::bad_header_syntax;
        const std::string_view line = head.substr(pos, eol - pos);
        pos = eol + 2;
        if (line.empty()) break;  // the blank line
        if (headers.size() == limits.max_headers) return Fault::too_many_headers;
        // RFC 9112 §5.1: no white space before the colon; §5.2: obs-fold rejected.
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return Fault::bad_header_syntax;
        const std::string_view value = trim(line.substr(colon + 1));
        if (!valid_field_value(value)) return Fault::bad_header_syntax;
        headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    return Fault::none;
}

// Every value of the headers named `name`, joined as one comma list (RFC 9110 §5.3).
std::string joined(const std::vector<Header>& headers, std::string_view name, int* count = nullptr)
{
    std::string all;
    int n = 0;
    for (const Header& h : headers) {
        if (!iequals(h.name, name)) continue;
        if (n++) all += ", ";
        all += h.value;
    }
    if (count) *count = n;
    return all;
}

// RFC 9112 §6.3: a request has a body when it has Transfer-Encoding or a
// Content-Length other than 0. An upgrade GET carries none (RFC 6455 §4.1);
// if we upgraded anyway, the body would be parsed as frames.
bool announces_body(const std::vector<Header>& headers)
{
    int encodings = 0, lengths = 0;
    joined(headers, "Transfer-Encoding", &encodings);
    const std::string length = joined(headers, "Content-Length", &lengths);
    if (encodings > 0) return true;
    if (lengths == 0) return false;
    const std::vector<std::string> items = split_comma_list(length);
    if (items.empty()) return true;  // "Content-Length:" with no value
    for (const std::string& item : items)
        if (item != "0") return true;
    return false;
}

// "HTTP/1.1" or later (RFC 6455 §4.1 item 2).
bool http_11_or_later(std::string_view v)
{
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return false;
    const char major = v[5], minor = v[7];
    if (major < '0' || major > '9' || minor < '0' || minor > '9') return false;
    return major > '1' || (major == '1' && minor >= '1');
}

// Origin-form "/p?q", or absolute-form "ws://host/p?q" (RFC 9112 §3.2).
bool split_target(std::string_view target, std::string& path, std::string& query)
{
    if (target.empty()) return false;
    if (target.front() != '/') {
        const size_t scheme = target.find("://");
        if (scheme == std::string_view::npos || !is_token(target.substr(0, scheme))) return false;
        const size_t slash = target.find('/', scheme + 3);
        target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    for (unsigned char c : target)
        if (c <= 0x20 || c >= 0x7F) return false;
    const size_t q = target.find('?');
    path = target.substr(0, q);
    query = q == std::string_view::npos ? "" : target.substr(q + 1);
    return true;
}

const char* reason_phrase(int status)
{
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    default: return "Error";
    }
}

const char* explain(Fault f)
{
    switch (f) {
    case Fault::bad_request_line: return "malformed request line";
    case Fault::bad_header_syntax: return "malformed header line";
    case Fault::method_not_get: return "a WebSocket handshake must use GET";
    case Fault::http_version_not_11: return "a WebSocket handshake needs HTTP/1.1 or later";
    case Fault::missing_host: return "missing or repeated Host header";
    case Fault::missing_upgrade: return "this service speaks WebSocket only: send Upgrade: websocket";
    case Fault::missing_connection_upgrade: return "Connection header must include upgrade";
    case Fault::bad_websocket_key: return "Sec-WebSocket-Key must be base64 of 16 bytes, sent once";
    case Fault::unsupported_version: return "only Sec-WebSocket-Version 13 is supported";
    case Fault::head_too_large: return "request head too large";
    case Fault::too_many_headers: return "too many header fields";
    case Fault::forbidden: return "forbidden";
    case Fault::not_found: return "not found";
    case Fault::server_error: return "the service could not start";
    case Fault::request_timeout: return "the request did not arrive in time";
    case Fault::origin_not_allowed: return "Origin not allowed";
    case Fault::host_not_allowed: return "Host not served here";
    case Fault::no_acceptable_protocol: return "no offered Sec-WebSocket-Protocol is spoken here";
    case Fault::request_has_body: return "a WebSocket handshake carries no body";
    case Fault::repeated_version: return "Sec-WebSocket-Version sent more than once";
    default: return fault_name(f);
    }
}

} // namespace

bool has_token(std::string_view list, std::string_view token)
{
    while (!list.empty()) {
        const size_t comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::vector<std::string> split_comma_list(std::string_view list)
{
    std::vector<std::string> out;
    while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string_view item = trim(list.substr(0, comma));
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

bool valid_websocket_key(std::string_view s)
{
    // 16 bytes are 22 base64 digits and "==": the last digit carries 2 bits
    // of data and 4 zero bits, so it is one of A, Q, g, w (RFC 4648 §4).
    if (s.size() != 24 || s.substr(22) != "==") return false;
    for (size_t i = 0; i < 22; ++i) {
        const char c = s[i];
        const bool digit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!digit) return false;
    }
    return std::string_view("AQgw").find(s[21]) != std::string_view::npos;
}

const std::string* Request::header(std::string_view name) const
{
    for (const Header& h : headers)
        if (iequals(h.name, name)) return &h.value;
    return nullptr;
}

Fault parse_request_head(std::string_view head, const HandshakeLimits& limits, Request& out)
{
    std::string_view line;
    out.headers.clear();
    if (Fault f = parse_head(head, limits, line, out.headers); f != Fault::none) return f;

    // request-line = method SP request-target SP HTTP-version
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return Fault::bad_request_line;
    out.method = line.substr(0, sp1);
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    out.version = line.substr(sp2 + 1);
    if (!is_token(out.method) || !split_target(out.target, out.path, out.query) ||
        out.version.substr(0, 5) != "HTTP/")
        return Fault::bad_request_line;
    return Fault::none;
}

Fault check_upgrade(Request& out)
{
    if (out.method != "GET") return Fault::method_not_get;
    if (!http_11_or_later(out.version)) return Fault::http_version_not_11;
    int hosts = 0;
    out.host = joined(out.headers, "Host", &hosts);
    if (hosts != 1 || out.host.empty()) return Fault::missing_host;
    if (!has_token(joined(out.headers, "Upgrade"), "websocket")) return Fault::missing_upgrade;
    if (!has_token(joined(out.headers, "Connection"), "upgrade"))
        return Fault::missing_connection_upgrade;
    // §4.2.2 item 4: 426 says "not a version we speak"; the same header
    // twice is a malformed request, whatever it holds (400).
    int versions = 0;
    const std::string version = joined(out.headers, "Sec-WebSocket-Version", &versions);
    if (versions > 1) return Fault::repeated_version;
    if (version != "13") return Fault::unsupported_version;
    int keys = 0;
    out.key = joined(out.headers, "Sec-WebSocket-Key", &keys);
    if (keys != 1 || !valid_websocket_key(out.key)) return Fault::bad_websocket_key;
    if (announces_body(out.headers)) return Fault::request_has_body;
    out.protocols = split_comma_list(joined(out.headers, "Sec-WebSocket-Protocol"));
    return Fault::none;
}

bool plausible_request_start(std::string_view start)
{
    if (start.empty()) return true;
    if (!is_tchar(start.front())) return false;
    // RFC 9112 §2.2 lets a server take a bare LF as a line end; we answer 400
    // at once instead (else the client waits for the timeout): no WebSocket
    // client sends one, and parsers that split lines differently are how
    // requests get smuggled. A bare CR is invalid there too.
    for (size_t i = start.find_first_of("\r\n"); i != std::string_view::npos;
         i = start.find_first_of("\r\n", i + 2)) {
        if (start[i] == '\n') return false;
        if (i + 1 < start.size() && start[i + 1] != '\n') return false;
    }
    const size_t eol = start.find("\r\n");
    if (eol == std::string_view::npos) return true;
    // request-line = method SP request-target SP HTTP-version
    const std::string_view line = start.substr(0, eol);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    return sp2 != std::string_view::npos && line.substr(sp2 + 1, 5) == "HTTP/";
}

Fault parse_request(std::string_view head, const HandshakeLimits& limits, Request& out)
{
    const Fault f = parse_request_head(head, limits, out);
    return f != Fault::none ? f : check_upgrade(out);
}

bool asks_for_websocket(const Request& req)
{
    return has_token(joined(req.headers, "Upgrade"), "websocket");
}

Fault check_plain_request(Request& req)
{
    if (req.version != "HTTP/1.1" && req.version != "HTTP/1.0") return Fault::bad_request_line;
    int hosts = 0;
    req.host = joined(req.headers, "Host", &hosts);
    if (hosts > 1 || (req.version == "HTTP/1.1" && (hosts != 1 || req.host.empty()))) return Fault::missing_host;
    return Fault::none;
}

std::string plain_response(int status, std::string_view body, std::string_view extra)
{
    return "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
           "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           std::string(extra) + "Connection: close\r\n\r\n" + std::string(body);
}

std::string accept_key(std::string_view key)
{
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    // The low-level SHA-1 interface: no provider set-up at start (DESIGN.md).
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, key.data(), key.size());
    SHA1_Update(&ctx, guid.data(), guid.size());
    SHA1_Final(digest, &ctx);
    unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

std::string accept_response(const Request& req, std::string_view protocol, std::string_view extra)
{
    std::string r = "HTTP/1.1 101 Switching Protocols\r\n"
                    "Upgrade: websocket\r\n"
                    "Connection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: ";
    r += accept_key(req.key);
    r += "\r\n";
    if (!protocol.empty()) {
        r += "Sec-WebSocket-Protocol: ";
        r += protocol;
        r += "\r\n";
    }
    r += extra;
    r += "\r\n";
    return r;
}

std::string error_response(Fault f, std::string_view extra)
{
    const int status = http_status_of(f);
    const std::string body = std::string(explain(f)) + "\n";
    std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
    if (f == Fault::method_not_get) r += "Allow: GET\r\n";
    // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to, and §7.8 a
    // sender of Upgrade lists it in Connection.
    if (status == 426) r += "Upgrade: websocket\r\n";
    if (status == 426 || f == Fault::bad_websocket_key) r += "Sec-WebSocket-Version: 13\r\n";
    r += "Content-Type: text/plain\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n";
    r += extra;
    r += status == 426 ? "Connection: Upgrade, close\r\n\r\n" : "Connection: close\r\n\r\n";
    return r + body;
}

std::string build_request(const ClientRequest& req)
{
    std::string r = "GET " + req.target + " HTTP/1.1\r\nHost: " + req.host +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
                    req.key + "\r\nSec-WebSocket-Version: 13\r\n";
    if (!req.protocols.empty()) {
        r += "Sec-WebSocket-Protocol: ";
        for (size_t i = 0; i < req.protocols.size(); ++i) r += (i ? ", " : "") + req.protocols[i];
        r += "\r\n";
    }
    for (const Header& h : req.headers) r += h.name + ": " + h.value + "\r\n";
    return r + "\r\n";
}

Fault parse_response(std::string_view head, const ClientRequest& req,
                     const HandshakeLimits& limits, Response& out)
{
    std::string_view line;
    out.headers.clear();
    if (parse_head(head, limits, line, out.headers) != Fault::none) return Fault::bad_response;
    // status-line = HTTP-version SP 3DIGIT SP [reason-phrase]
    if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[8] != ' ') return Fault::bad_response;
    out.status = 0;
    for (size_t i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9') return Fault::bad_response;
        out.status = out.status * 10 + (line[i] - '0');
    }
    out.reason = line.size() > 13 ? line.substr(13) : "";
    if (out.status != 101) return Fault::handshake_refused;
    if (!has_token(joined(out.headers, "Upgrade"), "websocket") ||
        !has_token(joined(out.headers, "Connection"), "upgrade"))
        return Fault::bad_response;
    if (joined(out.headers, "Sec-WebSocket-Accept") != accept_key(req.key)) return Fault::bad_accept_key;
    // §4.1: a protocol or extension we did not offer fails the connection.
    int protocols = 0;
    out.protocol = joined(out.headers, "Sec-WebSocket-Protocol", &protocols);
    if (protocols > 1) return Fault::bad_response;
    if (protocols == 1) {
        bool offered = false;
        for (const std::string& p : req.protocols) offered = offered || p == out.protocol;
        if (!offered) return Fault::bad_response;
    }
    int extensions = 0;
    joined(out.headers, "Sec-WebSocket-Extensions", &extensions);
    if (extensions) return Fault::bad_response;
    return Fault::none;
}

} // namespace vws
