// Options every server program shares: limits, timeouts and where the
// connection is. Each main lists these in its getopt_long table and passes
// the ones it does not know itself to parse_common_option.
#pragma once

#include <getopt.h>

#include "sys/driver.hpp"
#include "sys/http_pages.hpp"
#include "sys/log.hpp"
#include "vws/connection.hpp"

namespace vws::sys {

struct CommonOptions {
    Limits limits;
    Timeouts timeouts;
    Policy policy;
    std::vector<std::string> trusted_proxies;  // --trust-proxy
    HttpPagesOptions pages;                    // --static, --devconsole
    int fd = -1;          // --fd N
    bool blocking = false;
    LogFormat log_format = LogFormat::logfmt;
    LogLevel log_level = LogLevel::normal;
};

enum : int {
    opt_max_message = 1000,
    opt_max_frame,
    opt_max_head,
    opt_handshake_timeout,
    opt_idle_timeout,
    opt_close_timeout,
    opt_ping_interval,
    opt_pong_timeout,
    opt_max_rate,
    opt_origin,
    opt_protocol,
    opt_require_protocol,
    opt_host,
    opt_health_path,
    opt_trust_proxy,
    opt_same_origin,
    opt_header,
    opt_header_ws,
    opt_header_http,
    opt_static,
    opt_devconsole,
    opt_log_format,
    opt_quiet,
    opt_verbose,
    opt_fd,
    opt_blocking,
    opt_help,
    opt_version,
    opt_first_program_specific,  // programs number their own options from here
};

// getopt_long entries for the options above, to copy into a program's table.
#define VWS_COMMON_LONG_OPTIONS                                                    \
    {"max-message", required_argument, nullptr, vws::sys::opt_max_message},       \
    {"max-frame", required_argument, nullptr, vws::sys::opt_max_frame},           \
    {"max-head", required_argument, nullptr, vws::sys::opt_max_head},             \
    {"handshake-timeout", required_argument, nullptr, vws::sys::opt_handshake_timeout}, \
    {"idle-timeout", required_argument, nullptr, vws::sys::opt_idle_timeout},     \
    {"close-timeout", required_argument, nullptr, vws::sys::opt_close_timeout},   \
    {"ping-interval", required_argument, nullptr, vws::sys::opt_ping_interval},   \
    {"pong-timeout", required_argument, nullptr, vws::sys::opt_pong_timeout},     \
    {"max-rate", required_argument, nullptr, vws::sys::opt_max_rate},             \
    {"origin", required_argument, nullptr, vws::sys::opt_origin},                 \
    {"protocol", required_argument, nullptr, vws::sys::opt_protocol},             \
    {"require-protocol", no_argument, nullptr, vws::sys::opt_require_protocol},   \
    {"host", required_argument, nullptr, vws::sys::opt_host},                     \
    {"health-path", required_argument, nullptr, vws::sys::opt_health_path},       \
    {"trust-proxy", required_argument, nullptr, vws::sys::opt_trust_proxy},       \
    {"same-origin", no_argument, nullptr, vws::sys::opt_same_origin},             \
    {"header", required_argument, nullptr, vws::sys::opt_header},                 \
    {"header-ws", required_argument, nullptr, vws::sys::opt_header_ws},           \
    {"header-http", required_argument, nullptr, vws::sys::opt_header_http},       \
    {"static", required_argument, nullptr, vws::sys::opt_static},                 \
    {"devconsole", no_argument, nullptr, vws::sys::opt_devconsole},               \
    {"log-format", required_argument, nullptr, vws::sys::opt_log_format},         \
    {"quiet", no_argument, nullptr, vws::sys::opt_quiet},                         \
    {"verbose", no_argument, nullptr, vws::sys::opt_verbose},                     \
    {"fd", required_argument, nullptr, vws::sys::opt_fd},                         \
    {"blocking", no_argument, nullptr, vws::sys::opt_blocking},                   \
    {"help", no_argument, nullptr, vws::sys::opt_help},                           \
    {"version", no_argument, nullptr, vws::sys::opt_version}

// The help text for the common options, with the defaults.
extern const char common_options_help[];

// Applies one common option; false if opt is not one. Exits 100 on a bad value.
bool parse_common_option(int opt, const char* arg, CommonOptions& o);

// The start of every server program: finds the connection (--fd, LISTEN_FDS,
// or fds 0/1), keeps the log off it, sets TCP_NODELAY, installs the signal
// handlers (SIGPIPE ignored, stop signals to a 1001 close).
Endpoint prepare_connection(const CommonOptions& o);

// "65536", "64K", "16M", "1G" (powers of 1024) -> bytes; false on bad input.
bool parse_size(const char* s, uint64_t& out);
// "10", "0.5", "250ms" -> milliseconds; false on bad input.
bool parse_duration_ms(const char* s, int& out);

} // namespace vws::sys
