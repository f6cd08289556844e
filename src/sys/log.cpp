#include "sys/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <ctime>
#include <new>

#include "vws/http_date.hpp"

namespace vws::sys {

namespace {
const char* program_name = "vws";
uint64_t pid = 0;  // ours, asked once
LogFormat format = LogFormat::logfmt;
LogLevel threshold = LogLevel::normal;
bool enabled = true;

void write_all(const std::string& s)
{
    size_t done = 0;
    while (done < s.size()) {
        const ssize_t w = write(2, s.data() + done, s.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        done += static_cast<size_t>(w);
    }
}

bool plain_logfmt(std::string_view v)
{
    if (v.empty()) return false;
    for (unsigned char c : v)
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7F) return false;
    return true;
}

// A quoted string, escaped for both JSON and logfmt; bytes outside printable
// ASCII as \u00XX, so a line is always one line of ASCII.
void quote(std::string& out, std::string_view v)
{
    out += '"';
    for (unsigned char c : v) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7F) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            out += esc;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

// "2026-11-23T13:50:01.123Z". Not gmtime_r: glibc's reads /etc/localtime
// first, seven syscalls on every connection's first log line.
void utc_now(char* out, size_t size)
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const int64_t secs = ts.tv_sec;
    const int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    const auto sod = static_cast<unsigned>(secs - days * 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    std::snprintf(out, size, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", static_cast<int>(y % 10000), m % 13, d % 32,
                  sod / 3600 % 24, sod / 60 % 60, sod % 60, static_cast<unsigned>(ts.tv_nsec / 1'000'000) % 1000);
}

} // namespace

void log_init(const char* program)
{
    program_name = program;
    pid = static_cast<uint64_t>(getpid());
}

void log_configure(LogFormat f, LogLevel level)
{
    format = f;
    threshold = level;
}

void log_guard_connection(dev_t dev, ino_t ino)
{
    struct stat st;
    if (fstat(2, &st) != 0) {
        enabled = false;  // no stderr at all
        return;
    }
    if (st.st_dev == dev && st.st_ino == ino) enabled = false;
}

bool log_enabled() { return enabled; }
bool log_verbose() { return enabled && threshold == LogLevel::verbose; }

LogLine::LogLine(const char* event, LogLevel level)
    : on_(enabled && (level == LogLevel::quiet || static_cast<int>(level) <= static_cast<int>(threshold)))
{
    if (!on_) return;
    char when[64];
    utc_now(when, sizeof when);
    line_.reserve(512);
    if (format == LogFormat::json) line_.push_back('{');
    str("time", when).str("program", program_name).num("pid", pid).str("event", event);
}

LogLine::~LogLine()
{
    if (!on_) return;
    line_ += format == LogFormat::json ? "}\n" : "\n";
    write_all(line_);
}

void LogLine::key(const char* k)
{
    if (format == LogFormat::json) {
        if (line_.size() > 1) line_ += ',';
        quote(line_, k);
        line_ += ':';
    } else {
        if (!line_.empty()) line_ += ' ';
        line_ += k;
        line_ += '=';
    }
}

LogLine& LogLine::str(const char* k, std::string_view v)
{
    if (!on_ || v.empty()) return *this;
    key(k);
    if (format == LogFormat::logfmt && plain_logfmt(v)) line_.append(v.data(), v.size());
    else quote(line_, v);
    return *this;
}

LogLine& LogLine::num(const char* k, uint64_t v)
{
    if (!on_) return *this;
    key(k);
    line_ += std::to_string(v);
    return *this;
}

LogLine& LogLine::secs(const char* k, double v)
{
    if (!on_) return *this;
    key(k);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    line_ += buf;
    return *this;
}

namespace {
// The new handler: operator new calls it when malloc fails, before throwing.
[[noreturn]] void out_of_memory()
{
    // The line needs memory too: if that fails we come back here, and just exit.
    static std::atomic_flag tried = ATOMIC_FLAG_INIT;
    if (!tried.test_and_set())
        LogLine("fatal", LogLevel::quiet).str("error", "out of memory").num("exit", exit_code::system);
    _exit(exit_code::system);
}
} // namespace

void exit_on_out_of_memory() { std::set_new_handler(out_of_memory); }

void fatal(int code, const char* fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    // Also in plain words for a person at a terminal (djb style), when stderr is one.
    if (enabled && isatty(2)) {
        std::fprintf(stderr, "%s: fatal: %s\n", program_name, reason);
    } else {
        LogLine("fatal", LogLevel::quiet).str("error", reason).num("exit", static_cast<uint64_t>(code));
    }
    std::exit(code);
}

} // namespace vws::sys
