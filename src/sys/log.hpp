// One line per event on stderr, for multilog, tinylog and journald: the
// program name, then key=value pairs (logfmt). Never written to a descriptor
// that carries the connection (classic inetd puts the socket on fd 2 too).
#pragma once

#include <cstddef>
#include <string_view>

namespace vws::sys {

void log_init(const char* program);
// Turns logging off if fd 2 is the same open file as fd (the connection).
void log_guard_connection(int fd);
bool log_enabled();
// printf-style: log_line("event=open path=%s", p) -> "vws-echo: event=open path=/x".
void log_line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// "vws-echo: fatal: unable to X: reason", then exit(code).
[[noreturn]] void fatal(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Quotes a value for logfmt when it holds spaces, quotes or controls.
std::string_view logfmt_value(std::string_view v, char* buf, size_t size);

// Exit codes (STYLE.md): djb's 100/111 plus 98 for a peer that broke the protocol.
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int protocol = 98;
inline constexpr int usage = 100;
inline constexpr int system = 111;
} // namespace exit_code

} // namespace vws::sys
