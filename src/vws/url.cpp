#include "vws/url.hpp"

namespace vws {

namespace {

bool has_blank_or_control(std::string_view s)
{
    for (unsigned char c : s)
        if (c <= ' ' || c == 0x7F) return true;
    return false;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// "host", "host:port", "[v6]", "[v6]:port" -> out.host, out.port, out.host_header.
UrlError parse_authority(std::string_view a, const char* default_port, WsUrl& out)
{
    if (a.find('@') != std::string_view::npos) return UrlError::userinfo;
    std::string_view host, port;
    bool have_port = false;
    if (!a.empty() && a[0] == '[') {
        const size_t close = a.find(']');
        if (close == std::string_view::npos || close == 1) return UrlError::bad_host;
        host = a.substr(1, close - 1);
        const std::string_view rest = a.substr(close + 1);
        if (!rest.empty() && rest[0] != ':') return UrlError::bad_host;
        if (!rest.empty()) {
            port = rest.substr(1);
            have_port = true;
        }
        if (host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
            return UrlError::bad_host;
    } else {
        const size_t colon = a.find(':');
        host = a.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = a.substr(colon + 1);
            have_port = true;
        }
        if (host.empty() || host.find_first_of("[]") != std::string_view::npos) return UrlError::bad_host;
    }
    if (has_blank_or_control(host)) return UrlError::bad_host;

    unsigned long value = 0;
    if (have_port) {
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
            return UrlError::bad_port;
        for (char c : port) value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value == 0 || value > 65535) return UrlError::bad_port;
    }
    out.host = std::string(host);
    out.port = have_port ? std::to_string(value) : default_port;
    // §4.1 item 4: the Host header carries the port only when it is not the default.
    out.host_header = std::string(a.substr(0, a.size() - (have_port ? port.size() + 1 : 0)));
    if (out.port != default_port) out.host_header += ":" + out.port;
    return UrlError::none;
}

} // namespace

UrlError parse_ws_url(std::string_view s, WsUrl& out)
{
    out = WsUrl{};
    const char* default_port;
    if (starts_with_nocase(s, "ws://")) {
        s.remove_prefix(5);
        default_port = "80";
    } else if (starts_with_nocase(s, "wss://")) {
        s.remove_prefix(6);
        out.secure = true;
        default_port = "443";
    } else {
        return UrlError::bad_scheme;
    }
    // §3: "Fragment identifiers are meaningless in the context of WebSocket
    // URIs and MUST NOT be used on these URIs."
    if (s.find('#') != std::string_view::npos) return UrlError::fragment;
    const size_t end = s.find_first_of("/?");
    const UrlError e = parse_authority(s.substr(0, end), default_port, out);
    if (e != UrlError::none) return e;
    const std::string_view target = end == std::string_view::npos ? std::string_view{} : s.substr(end);
    if (has_blank_or_control(target)) return UrlError::bad_target;
    // §3: an empty path is "/"; the query follows it.
    out.target = target.empty() || target[0] == '?' ? "/" + std::string(target) : std::string(target);
    return UrlError::none;
}

const char* url_error_text(UrlError e)
{
    switch (e) {
    case UrlError::none: return "ok";
    case UrlError::bad_scheme: return "expected ws://HOST[:PORT]/PATH";
    case UrlError::bad_host: return "bad host";
    case UrlError::bad_port: return "bad port (expected 1 to 65535)";
    case UrlError::userinfo: return "user@host is not supported (use --header 'Authorization: ...')";
    case UrlError::fragment: return "a WebSocket URI has no #fragment (RFC 6455 section 3)";
    case UrlError::bad_target: return "white space or control characters in the path";
    }
    return "bad URI";
}

} // namespace vws
