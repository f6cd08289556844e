#include "vws/plain_http.hpp"

#include <array>

#include "vws/http_date.hpp"
#include "vws/policy.hpp"

namespace vws {

namespace {

constexpr size_t max_path = 1024;
constexpr size_t max_name = 255;  // NAME_MAX on Linux file systems

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// One decoded segment is a name we may look up: not ".", "..", hidden or empty.
bool acceptable_segment(std::string_view seg)
{
    return !seg.empty() && seg.size() <= max_name && seg.front() != '.';
}

const char* reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 500: return "Internal Server Error";
    default: return "Error";
    }
}

std::string status_line(int status)
{
    return "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
}

// Every plain answer ends the connection: one request per process.
std::string closing_headers(std::string_view extra)
{
    return std::string(extra) + "Connection: close\r\n\r\n";
}

} // namespace

std::optional<std::string> static_file_name(std::string_view path)
{
    if (path.empty() || path.front() != '/' || path.size() > max_path) return std::nullopt;
    std::string out, seg;
    for (size_t i = 1; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/') {
            // A trailing '/' names the directory's index.html.
            if (i == path.size() && seg.empty()) seg = "index.html";
            if (!acceptable_segment(seg)) return std::nullopt;
            if (!out.empty()) out += '/';
            out += seg;
            seg.clear();
            continue;
        }
        char c = path[i];
        if (c == '%') {
            const int hi = i + 2 < path.size() ? hex_value(path[i + 1]) : -1;
            const int lo = hi >= 0 ? hex_value(path[i + 2]) : -1;
            if (lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
            // An escaped '/' or '\' would let a segment hold a separator.
            if (c == '/' || c == '\\') return std::nullopt;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::nullopt;
        seg += c;
    }
    return out;
}

std::string_view content_type_for(std::string_view name)
{
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> types = {{
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},  // RFC 9239
        {"mjs", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"ico", "image/vnd.microsoft.icon"},
        {"wasm", "application/wasm"},
        {"txt", "text/plain; charset=utf-8"},
        {"woff2", "font/woff2"},
    }};
    const size_t dot = name.rfind('.');
    const size_t slash = name.rfind('/');
    if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) {
        const std::string_view ext = name.substr(dot + 1);
        for (const auto& [e, type] : types)
            if (iequals(ext, e)) return type;
    }
    return "application/octet-stream";
}

std::optional<std::string> extra_header_line(std::string_view arg, std::string& why)
{
    const size_t colon = arg.find(':');
    const std::string_view name = arg.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : arg.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    static constexpr std::string_view tchar_extra = "!#$%&'*+-.^_`|~";
    bool token = !name.empty();
    for (char c : name)
        token = token && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          tchar_extra.find(c) != std::string_view::npos);
    if (colon == std::string_view::npos || !token) {
        why = "expected 'Name: value' with a token for a name (RFC 9110 §5.1)";
        return std::nullopt;
    }
    for (unsigned char c : value)
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            why = "the value holds a control character (CR, LF or other): not allowed in a header";
            return std::nullopt;
        }
    static constexpr std::array<std::string_view, 5> ours = {
        "content-length", "transfer-encoding", "connection", "upgrade", "content-type"};
    for (std::string_view o : ours)
        if (iequals(name, o)) {
            why = "vws sets " + std::string(name) + " itself";
            return std::nullopt;
        }
    if (name.size() >= 14 && iequals(name.substr(0, 14), "sec-websocket-")) {
        why = "Sec-WebSocket-* headers belong to the handshake";
        return std::nullopt;
    }
    return std::string(name) + ": " + std::string(value) + "\r\n";
}

PlainAnswer file_answer(const Request& req, std::string_view name, const FileFacts& file, int64_t now,
                        std::string_view extra_headers)
{
    PlainAnswer a;
    const std::string modified = format_http_date(file.mtime);
    // §13.1.3: only a valid date counts, and one later than our clock is
    // invalid; the file is unmodified when its time is not after the date
    // (HTTP-dates have whole seconds).
    if (const std::string* ims = req.header("If-Modified-Since")) {
        const auto since = parse_http_date(*ims);
        if (since && *since <= now && file.mtime <= *since) a.status = 304;
    }
    a.head = status_line(a.status) + "Date: " + format_http_date(now) + "\r\nLast-Modified: " + modified + "\r\n";
    if (a.status == 200) {
        a.head += "Content-Type: " + std::string(content_type_for(name)) + "\r\n";
        a.head += "Content-Length: " + std::to_string(file.size) + "\r\n";
        if (req.method == "GET") a.body_size = file.size;
    }
    a.head += "X-Content-Type-Options: nosniff\r\n" + closing_headers(extra_headers);
    return a;
}

PlainAnswer text_answer(const Request& req, int status, std::string_view text, std::string_view extra_headers)
{
    PlainAnswer a;
    a.status = status;
    const std::string body = std::string(text) + "\n";
    a.head = status_line(status);
    if (status == 405) a.head += "Allow: GET, HEAD\r\n";
    a.head += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n" + closing_headers(extra_headers);
    if (req.method != "HEAD") a.head += body;
    return a;
}

bool page_origin_allowed(const Request& req, const std::vector<std::string>& origins, bool same_origin)
{
    const std::string* host = req.header("Host");
    if (!host) return origins.empty() && !same_origin;
    for (const char* scheme : {"http://", "https://"}) {
        const std::string origin = scheme + *host;
        if (origin_allowed(origin, origins) && (!same_origin || same_origin_as_host(origin, *host)))
            return true;
    }
    return false;
}

} // namespace vws
