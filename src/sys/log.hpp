// One line per event on stderr, for multilog, tinylog and journald, in logfmt
// (default) or JSON:
//   time=2026-11-23T13:50:01.123Z program=vws-echo pid=42 event=open remote_addr=...
//   {"time":"2026-11-23T13:50:01.123Z","program":"vws-echo","pid":42,"event":"open",...}
// Never written to a descriptor that carries the connection (classic inetd
// puts the socket on fd 2 too).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace vws::sys {

enum class LogFormat : uint8_t { logfmt, json };
enum class LogLevel : uint8_t { quiet, normal, verbose };

void log_init(const char* program);
void log_configure(LogFormat format, LogLevel level);
// Turns logging off if fd 2 is the connection itself (st_dev, st_ino), as
// classic inetd makes it.
void log_guard_connection(dev_t dev, ino_t ino);
bool log_enabled();
bool log_verbose();

// Builds one line and writes it with a single write(2) when destroyed, so
// lines from many processes sharing a log pipe never interleave.
class LogLine {
public:
    // Lines of level verbose are dropped unless --verbose; normal ones under --quiet.
    explicit LogLine(const char* event, LogLevel level = LogLevel::normal);
    ~LogLine();
    LogLine(const LogLine&) = delete;
    LogLine& operator=(const LogLine&) = delete;

    LogLine& str(const char* key, std::string_view value);  // skipped when empty
    LogLine& num(const char* key, uint64_t value);
    LogLine& secs(const char* key, double value);          // 1.234

private:
    void key(const char* k);
    std::string line_;
    bool on_;
};

// Last resort for an allocation that fails outside the buffers that report it
// as a value (strings, vectors, the handshake): an "out of memory" fatal line
// and exit 111, never std::terminate with a bad_alloc. Call once, in main.
void exit_on_out_of_memory();

// "program: fatal: reason" as a line with event=fatal, then exit(code).
[[noreturn]] void fatal(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Exit codes (STYLE.md): djb's 100/111 plus 98 for a peer that broke the protocol.
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int protocol = 98;
inline constexpr int usage = 100;
inline constexpr int system = 111;
} // namespace exit_code

} // namespace vws::sys
