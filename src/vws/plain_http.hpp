// Plain HTTP answers on a WebSocket port (--static, --devconsole, --header*):
// which file a request path names, and every answer's head, built from facts
// the OS side gathers (the file's size and time, the clock). Pure: opening,
// stat and reading the file are src/sys/static_files.cpp's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vws/handshake.hpp"

namespace vws {

// The file a request path names under the static directory, relative to it:
// "/" -> "index.html", "/a/b.css" -> "a/b.css", "/docs/" -> "docs/index.html".
// Percent-escapes are decoded (RFC 3986 §2.1). Empty (so 404) for a path that
// must never reach the file system: a "." or ".." segment, a hidden name
// (".git", ".env"), an escaped '/' or NUL or control character, a bad escape,
// an empty segment, a name over 255 bytes or a path over 1024.
std::optional<std::string> static_file_name(std::string_view path);

// "text/html; charset=utf-8" for "index.html"; application/octet-stream for
// names whose extension is not in the short list we know.
std::string_view content_type_for(std::string_view name);

// An extra response header from --header, --header-ws or --header-http:
// "Name: value" -> "Name: value\r\n". Empty with `why` set when the name is
// not a token (RFC 9110 §5.1), the value holds CR, LF or another control
// character (§5.5: a header injection), or the name is one vws sets itself
// (framing and the handshake depend on those).
std::optional<std::string> extra_header_line(std::string_view arg, std::string& why);

struct FileFacts {
    uint64_t size = 0;
    int64_t mtime = 0;  // seconds since the epoch
};

// A complete plain answer: `head` ends with the blank line; `body_size` bytes
// of the file follow it for a GET 200, none for HEAD or 304.
struct PlainAnswer {
    int status = 200;
    std::string head;
    uint64_t body_size = 0;
};

// 200 with the file's Content-Type, Content-Length and Last-Modified, or 304
// when If-Modified-Since is a valid date no earlier than the file's time and
// not after `now` (RFC 9110 §13.1.3; anything else there is ignored).
PlainAnswer file_answer(const Request& req, std::string_view name, const FileFacts& file, int64_t now,
                        std::string_view extra_headers);

// A short text answer ("404 not found"), body included in head; HEAD gets
// the headers only. 405 carries "Allow: GET, HEAD" (RFC 9110 §15.5.6).
PlainAnswer text_answer(const Request& req, int status, std::string_view text, std::string_view extra_headers);

// The development console (--devconsole): one self-contained HTML page that
// opens a WebSocket back to the URL it came from.
PlainAnswer devconsole_answer(const Request& req, std::string_view extra_headers);

// The page's own origin would pass the Origin checks its WebSocket will meet:
// http:// or https:// with the Host it was fetched through.
bool page_origin_allowed(const Request& req, const std::vector<std::string>& origins, bool same_origin);

// GET and HEAD are served; anything else gets 405.
inline bool method_served(const Request& req) { return req.method == "GET" || req.method == "HEAD"; }

} // namespace vws
