#include "sys/options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "sys/log.hpp"
#include "vws/plain_http.hpp"

namespace vws::sys {

const char common_options_help[] =
    "  --max-message BYTES     largest message, assembled (default 64M)\n"
    "  --max-frame BYTES       largest frame payload (default 16M)\n"
    "  --max-head BYTES        largest request head (default 8K)\n"
    "  --handshake-timeout S   time to receive the request (default 10; 0: none)\n"
    "  --idle-timeout S        close with 1001 after S without input (default 0: off)\n"
    "  --close-timeout S       time for the peer to finish closing, or to take more\n"
    "                          of a --static file (default 5)\n"
    "  --ping-interval S       ping after S without input (default 30; 0: off)\n"
    "  --pong-timeout S        then give up after S more without input (default 20)\n"
    "  --max-rate N            messages per second from the client; more: close 1008\n"
    "  --origin LIST           allowed Origins: https://a.example (exact), a.example\n"
    "                          (host), *.example (subdomains); else 403\n"
    "  --protocol LIST         subprotocols spoken; the client's first offer in LIST wins\n"
    "  --require-protocol      refuse (400) clients that offer none of --protocol\n"
    "  --host LIST             Host names served (*.example too); else 403\n"
    "  --health-path PATH      a plain GET here answers 200 ok (default /healthz; '' off)\n"
    "  --trust-proxy LIST      peers whose X-Forwarded-For / X-Real-IP name the client\n"
    "                          (an IP literal only; anything else is logged, not used)\n"
    "  --same-origin           the Origin's host and port must be the Host's; else 403\n"
    "  --static DIR            a plain GET or HEAD (no upgrade) gets the file from DIR\n"
    "                          (/ is index.html; no listings, nothing hidden or outside)\n"
    "  --devconsole            a plain GET gets a page to try the service in a browser\n"
    "  --header 'NAME: VALUE'  add to every answer (repeatable); --header-ws: to the\n"
    "                          101 only; --header-http: to every other answer\n"
    "  --log-format FORMAT     logfmt (default) or json, one line per event on stderr\n"
    "  --quiet                 log only failures of our own\n"
    "  --verbose               log more (health checks, spawn details)\n"
    "  --fd N                  the connection is on descriptor N\n"
    "                          (default: fd 3 under LISTEN_FDS=1, else fds 0 and 1)\n"
    "  --blocking              blocking I/O driver (automatic on non-sockets)\n"
    "  --help                  this text\n"
    "  --version               the version\n"
    "Sizes take K, M or G (powers of 1024); times are seconds (0.5) or 250ms.\n";

bool parse_size(const char* s, uint64_t& out)
{
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') return false;
    uint64_t mult = 1;
    if (*end == 'K' || *end == 'k') mult = 1ull << 10;
    else if (*end == 'M' || *end == 'm') mult = 1ull << 20;
    else if (*end == 'G' || *end == 'g') mult = 1ull << 30;
    if (mult != 1) ++end;
    if (*end != '\0' || v > UINT64_MAX / mult) return false;
    out = v * mult;
    return true;
}

bool parse_duration_ms(const char* s, int& out)
{
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (errno || end == s || !(v >= 0)) return false;
    if (std::strcmp(end, "ms") == 0) v /= 1000.0;
    else if (std::strcmp(end, "s") != 0 && *end != '\0') return false;
    if (v > 24 * 3600.0) return false;
    out = static_cast<int>(std::lround(v * 1000.0));
    return true;
}

namespace {

uint64_t size_arg(const char* name, const char* arg)
{
    uint64_t v;
    if (!parse_size(arg, v) || v == 0) fatal(exit_code::usage, "--%s %s: expected a size in bytes", name, arg);
    return v;
}

int ms_arg(const char* name, const char* arg)
{
    int v;
    if (!parse_duration_ms(arg, v)) fatal(exit_code::usage, "--%s %s: expected seconds", name, arg);
    return v;
}

void add_header(const char* name, const char* arg, std::string* to_101, std::string* to_http)
{
    std::string why;
    const auto line = extra_header_line(arg, why);
    if (!line) fatal(exit_code::usage, "--%s: %s", name, why.c_str());
    if (to_101) *to_101 += *line;
    if (to_http) *to_http += *line;
}

void enable_pages(CommonOptions& o)
{
    if (!o.pages.static_dir.empty() && o.pages.devconsole)
        fatal(exit_code::usage, "--static and --devconsole: give one (a path is either a file or the console)");
    o.policy.plain_http = true;
}

} // namespace

bool parse_common_option(int opt, const char* arg, CommonOptions& o)
{
    switch (opt) {
    case opt_max_message: o.limits.max_message = size_arg("max-message", arg); return true;
    case opt_max_frame: o.limits.max_frame = size_arg("max-frame", arg); return true;
    case opt_max_head: {
        const uint64_t v = size_arg("max-head", arg);
        if (v < 64 || v > (1u << 20)) fatal(exit_code::usage, "--max-head %s: expected 64 to 1M", arg);
        o.limits.handshake.max_head = v;
        return true;
    }
    case opt_handshake_timeout: o.timeouts.handshake_ms = ms_arg("handshake-timeout", arg); return true;
    case opt_idle_timeout: o.timeouts.idle_ms = ms_arg("idle-timeout", arg); return true;
    case opt_close_timeout: o.timeouts.close_ms = ms_arg("close-timeout", arg); return true;
    case opt_ping_interval: o.timeouts.ping_interval_ms = ms_arg("ping-interval", arg); return true;
    case opt_pong_timeout: o.timeouts.pong_timeout_ms = ms_arg("pong-timeout", arg); return true;
    case opt_max_rate: {
        uint64_t v;
        if (!parse_size(arg, v) || v > 1'000'000) fatal(exit_code::usage, "--max-rate %s: expected messages per second", arg);
        o.timeouts.max_rate = static_cast<unsigned>(v);
        return true;
    }
    case opt_origin: o.policy.origins = split_comma_list(arg); return true;
    case opt_protocol: o.policy.protocols = split_comma_list(arg); return true;
    case opt_require_protocol: o.policy.require_protocol = true; return true;
    case opt_host: o.policy.hosts = split_comma_list(arg); return true;
    case opt_health_path:
        if (*arg != '\0' && *arg != '/') fatal(exit_code::usage, "--health-path %s: expected /PATH or ''", arg);
        o.policy.health_path = arg;
        return true;
    case opt_trust_proxy: o.trusted_proxies = split_comma_list(arg); return true;
    case opt_same_origin: o.policy.same_origin = true; return true;
    case opt_header: add_header("header", arg, &o.policy.headers_101, &o.policy.headers_http); return true;
    case opt_header_ws: add_header("header-ws", arg, &o.policy.headers_101, nullptr); return true;
    case opt_header_http: add_header("header-http", arg, nullptr, &o.policy.headers_http); return true;
    case opt_static:
        if (const std::string why = check_static_dir(arg); !why.empty())
            fatal(exit_code::usage, "--static %s: %s", arg, why.c_str());
        o.pages.static_dir = arg;
        enable_pages(o);
        return true;
    case opt_devconsole:
        o.pages.devconsole = true;
        enable_pages(o);
        return true;
    case opt_log_format:
        if (std::strcmp(arg, "logfmt") == 0) o.log_format = LogFormat::logfmt;
        else if (std::strcmp(arg, "json") == 0) o.log_format = LogFormat::json;
        else fatal(exit_code::usage, "--log-format %s: expected logfmt or json", arg);
        log_configure(o.log_format, o.log_level);
        return true;
    case opt_quiet:
    case opt_verbose:
        o.log_level = opt == opt_quiet ? LogLevel::quiet : LogLevel::verbose;
        log_configure(o.log_format, o.log_level);
        return true;
    case opt_fd: {
        char* end = nullptr;
        const long v = std::strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || v < 0 || v > 65535)
            fatal(exit_code::usage, "--fd %s: expected a descriptor number", arg);
        o.fd = static_cast<int>(v);
        return true;
    }
    case opt_blocking: o.blocking = true; return true;
    default: return false;
    }
}

Endpoint prepare_connection(const CommonOptions& o)
{
    const Endpoint ep = find_endpoint(o.fd);
    log_guard_connection(ep.dev, ep.ino);
    log_guard_connection(ep.out_dev, ep.out_ino);
    set_nodelay(ep);
    install_signal_handlers();
    return ep;
}

} // namespace vws::sys
