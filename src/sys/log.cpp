#include "sys/log.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace vws::sys {

namespace {
const char* program_name = "vws";
bool enabled = true;
} // namespace

void log_init(const char* program) { program_name = program; }

void log_guard_connection(int fd)
{
    struct stat a, b;
    if (fstat(2, &a) != 0) {
        enabled = false;  // no stderr at all
        return;
    }
    if (fstat(fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) enabled = false;
}

bool log_enabled() { return enabled; }

namespace {

void vlog(const char* prefix, const char* fmt, va_list ap)
{
    // One write per line, so lines from many processes sharing a log pipe
    // never interleave (writes up to PIPE_BUF are atomic).
    char line[1024];
    int n = std::snprintf(line, sizeof line, "%s: %s", program_name, prefix);
    if (n < 0) return;
    int m = std::vsnprintf(line + n, sizeof line - static_cast<size_t>(n), fmt, ap);
    if (m < 0) return;
    size_t len = static_cast<size_t>(n) + static_cast<size_t>(m);
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w;
    do w = write(2, line, len);
    while (w < 0 && errno == EINTR);
}

} // namespace

void log_line(const char* fmt, ...)
{
    if (!enabled) return;
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap);
    va_end(ap);
}

void fatal(int code, const char* fmt, ...)
{
    if (enabled) {
        va_list ap;
        va_start(ap, fmt);
        vlog("fatal: ", fmt, ap);
        va_end(ap);
    }
    std::exit(code);
}

std::string_view logfmt_value(std::string_view v, char* buf, size_t size)
{
    bool plain = !v.empty();
    for (unsigned char c : v)
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7F) plain = false;
    if (plain || size < 3) return v;
    size_t n = 0;
    buf[n++] = '"';
    for (unsigned char c : v) {
        if (n + 3 >= size) break;
        if (c == '"' || c == '\\') buf[n++] = '\\';
        buf[n++] = (c < ' ' || c == 0x7F) ? '?' : static_cast<char>(c);
    }
    buf[n++] = '"';
    return {buf, n};
}

} // namespace vws::sys
