// The fallback driver, for descriptors that are not sockets (pipes from
// s6-tlsserver or a test, files) or on --blocking: plain blocking read and
// write, one at a time. Deadlines come from an interval timer whose SIGALRM
// interrupts the blocked call (no SA_RESTART); the interval re-fires, so a
// timer that expires just before the call still gets it out.
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "sys/driver_common.hpp"

namespace vws::sys {

using namespace detail;

namespace {

void on_alarm(int) {}

void arm(int ms)
{
    itimerval it{};
    if (ms >= 0) {
        const int first = ms > 0 ? ms : 1;
        it.it_value = {first / 1000, (first % 1000) * 1000};
        it.it_interval = {0, 50'000};
    }
    setitimer(ITIMER_REAL, &it, nullptr);
}

// One blocking call bounded by the deadlines: returns its result, or -1 with
// errno EINTR when it was interrupted (the caller re-checks the deadlines).
template <class Call>
ssize_t bounded(Deadlines& d, const Connection& c, Call call)
{
    arm(d.wait_ms(c, Clock::now()));
    const ssize_t n = call();
    const int err = errno;
    arm(-1);
    errno = err;
    return n;
}

} // namespace

Outcome drive_blocking(const Endpoint& ep, Connection& conn, App& app, const Timeouts& t)
{
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, nullptr);

    Outcome out;
    Deadlines deadlines(t, Clock::now());
    bool eof = false;
    for (;;) {
        handle_stop(conn, out);
        deadlines.observe(conn, Clock::now());
        if (deadlines.expire(conn, Clock::now(), out)) return out;

        if (conn.output_size() > 0) {
            const auto data = conn.output();
            const ssize_t n = bounded(deadlines, conn, [&] { return write(ep.out, data.data(), data.size()); });
            if (n > 0) {
                conn.sent(static_cast<size_t>(n));
                out.bytes_out += static_cast<uint64_t>(n);
            } else if (errno != EINTR) {
                out.ending = errno == EPIPE || errno == ECONNRESET ? Ending::peer_gone : Ending::io_error;
                out.error = errno;
                return out;
            }
            continue;
        }
        if (conn.ended()) {
            out.ending = ending_of(conn);
            break;
        }
        if (eof) {
            out.ending = Ending::peer_gone;
            return out;
        }
        const auto space = conn.input_space();
        const ssize_t n = bounded(deadlines, conn, [&] { return read(ep.in, space.data(), space.size()); });
        if (n > 0) {
            out.bytes_in += static_cast<uint64_t>(n);
            conn.received(static_cast<size_t>(n));
            deadlines.input(Clock::now());
            pump(conn, app);
        } else if (n == 0 || errno == ECONNRESET) {
            eof = true;
        } else if (errno != EINTR) {
            out.ending = Ending::io_error;
            out.error = errno;
            return out;
        }
    }

    // Let the peer see the end of our stream, then drain until its EOF (see
    // linger in poll_driver.cpp). A pipe's write end is closed instead.
    if (eof) return out;
    if (ep.socket)
        shutdown(ep.out, SHUT_WR);
    else if (ep.out != ep.in)
        close(ep.out);
    char scratch[16384];
    for (;;) {
        const ssize_t n = bounded(deadlines, conn, [&] { return read(ep.in, scratch, sizeof scratch); });
        if (n == 0 || (n < 0 && errno != EINTR)) break;
        if (n < 0 && deadlines.wait_ms(conn, Clock::now()) == 0) break;
    }
    return out;
}

} // namespace vws::sys
