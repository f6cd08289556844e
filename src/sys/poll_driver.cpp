// The default driver, for sockets. Each turn: write what the core queued, read
// what the peer sent, and only when both would block, wait in ppoll for
// readiness or the nearest deadline. Stop signals are blocked except inside
// ppoll, so one can never slip in between the check and the wait.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>

#include "sys/driver_common.hpp"

namespace vws::sys {

using namespace detail;

namespace {

enum class Io : uint8_t { progress, would_block, eof, gone, error };

Io classify(ssize_t n, int err)
{
    if (n > 0) return Io::progress;
    if (n == 0) return Io::eof;
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) return Io::would_block;
    if (err == EPIPE || err == ECONNRESET || err == ETIMEDOUT) return Io::gone;
    return Io::error;
}

Io flush(const Endpoint& ep, Connection& conn, Outcome& out)
{
    while (conn.output_size() > 0) {
        const auto data = conn.output();
        const ssize_t n = send(ep.out, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        const Io io = classify(n, errno);
        if (io != Io::progress) return io;
        conn.sent(static_cast<size_t>(n));
        out.bytes_out += static_cast<uint64_t>(n);
    }
    return Io::progress;
}

// RFC 6455 §7.1.1: the server closes TCP first; shut our write side so the
// peer sees EOF after our last frame, then read and discard until its EOF,
// so unread data never turns our close into a reset that loses that frame.
void linger(const Endpoint& ep, Deadlines& deadlines, const Connection& conn, const sigset_t& wait_mask)
{
    shutdown(ep.out, SHUT_WR);
    char scratch[16384];
    for (;;) {
        const ssize_t n = recv(ep.in, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n > 0) continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return;
        const int ms = deadlines.wait_ms(conn, Clock::now());
        if (ms == 0) return;
        pollfd p{ep.in, POLLIN, 0};
        timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
        if (ppoll(&p, 1, ms < 0 ? nullptr : &ts, &wait_mask) == 0) return;
    }
}

} // namespace

Outcome drive_poll(const Endpoint& ep, Connection& conn, App& app, const Timeouts& t)
{
    sigset_t stop_signals, wait_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    sigaddset(&stop_signals, SIGINT);
    sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
    sigdelset(&wait_mask, SIGTERM);
    sigdelset(&wait_mask, SIGHUP);
    sigdelset(&wait_mask, SIGINT);

    Outcome out;
    Deadlines deadlines(t, Clock::now());
    bool eof = false;
    for (;;) {
        handle_stop(conn, out);
        deadlines.observe(conn, Clock::now());

        const Io w = flush(ep, conn, out);
        if (w == Io::gone || w == Io::error) {
            out.ending = w == Io::gone ? Ending::peer_gone : Ending::io_error;
            out.error = errno;
            break;
        }
        if (conn.ended() && conn.output_size() == 0) {
            out.ending = ending_of(conn);
            if (!eof) linger(ep, deadlines, conn, wait_mask);
            break;
        }
        if (eof) {
            out.ending = Ending::peer_gone;
            break;
        }

        const bool want_read = !conn.ended() && conn.output_size() < output_high_water;
        if (want_read) {
            const auto space = conn.input_space();
            const ssize_t n = recv(ep.in, space.data(), space.size(), MSG_DONTWAIT);
            const Io r = classify(n, errno);
            if (r == Io::progress) {
                out.bytes_in += static_cast<uint64_t>(n);
                conn.received(static_cast<size_t>(n));
                deadlines.input(Clock::now());
                pump(conn, app);
                continue;
            }
            if (r == Io::eof || r == Io::gone) {
                eof = true;
                continue;
            }
            if (r == Io::error) {
                out.ending = Ending::io_error;
                out.error = errno;
                break;
            }
        }

        const auto now = Clock::now();
        if (deadlines.expire(conn, now, out)) break;
        const int ms = deadlines.wait_ms(conn, now);
        pollfd p[2];
        nfds_t np = 0;
        const short want_out = conn.output_size() > 0 ? POLLOUT : 0;
        const short want_in = want_read ? POLLIN : 0;
        if (ep.in == ep.out) {
            p[np++] = {ep.in, static_cast<short>(want_in | want_out), 0};
        } else {
            p[np++] = {ep.in, want_in, 0};
            p[np++] = {ep.out, want_out, 0};
        }
        timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
        if (ppoll(p, np, ms < 0 ? nullptr : &ts, &wait_mask) < 0 && errno != EINTR) {
            out.ending = Ending::io_error;
            out.error = errno;
            break;
        }
    }
    sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
    return out;
}

} // namespace vws::sys
