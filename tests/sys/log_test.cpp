// The log line (sys/log.hpp): every value that is not a plain word is quoted
// and escaped, in logfmt and JSON alike, so a request path or a header a
// client chose can neither end a value early nor forge a field. fd 2 is
// pointed at a pipe while a line is written.
#include <doctest/doctest.h>

#include <unistd.h>

#include <string>
#include <string_view>

#include "sys/log.hpp"

using vws::sys::LogFormat;
using vws::sys::LogLevel;
using vws::sys::LogLine;

namespace {

struct Field { const char* key; std::string_view value; };

// The line LogLine writes for these fields, in this format.
std::string logged(LogFormat format, std::initializer_list<Field> fields)
{
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const int saved_stderr = dup(2);
    REQUIRE(saved_stderr >= 0);
    REQUIRE(dup2(pipe_fds[1], 2) == 2);
    vws::sys::log_init("vws-test");
    vws::sys::log_configure(format, LogLevel::normal);
    {
        LogLine line("test");
        for (const Field& f : fields) line.str(f.key, f.value);
    }
    dup2(saved_stderr, 2);
    close(saved_stderr);
    close(pipe_fds[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    close(pipe_fds[0]);
    vws::sys::log_configure(LogFormat::logfmt, LogLevel::normal);
    return out;
}

bool contains(const std::string& line, std::string_view part)
{
    return line.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("log: logfmt quotes and escapes '\\' and '\"', and leaves plain words bare") {
    const std::string line = logged(LogFormat::logfmt, {{"path", "/a\\\"b"}, {"plain", "/chat"},
                                                        {"slash", "a\\b"}, {"forged", "x remote_addr=1.1.1.1"},
                                                        {"ctl", "a\nb\x7f"}});
    CAPTURE(line);
    CHECK(contains(line, " path=\"/a\\\\\\\"b\""));
    CHECK(contains(line, " plain=/chat"));
    // A bare backslash is quoted too: logfmt readers unescape quoted values only.
    CHECK(contains(line, " slash=\"a\\\\b\""));
    CHECK(contains(line, " forged=\"x remote_addr=1.1.1.1\""));
    CHECK(contains(line, " ctl=\"a\\u000ab\\u007f\""));
    CHECK(line.find('\n') == line.size() - 1);  // one line
}

TEST_CASE("log: JSON escapes '\\' and '\"' in every string") {
    const std::string line = logged(LogFormat::json, {{"path", "/a\\\"b"}, {"plain", "/chat"}, {"ctl", "\x01"}});
    CAPTURE(line);
    CHECK(line.rfind("{\"time\":\"", 0) == 0);
    CHECK(contains(line, ",\"path\":\"/a\\\\\\\"b\""));
    CHECK(contains(line, ",\"plain\":\"/chat\""));
    CHECK(contains(line, ",\"ctl\":\"\\u0001\""));
    CHECK(line.substr(line.size() - 2) == "}\n");
}
