// The driver for programs that talk to the peer alone (vws-echo, your own
// handler). Each turn: write what the core queued, read what the peer sent,
// and only when both would block, wait in ppoll for readiness or the nearest
// deadline. Stop signals are blocked except inside ppoll, so one can never
// slip in between the check and the wait. The descriptors are reached through
// ConnIo: MSG_DONTWAIT on sockets, or the blocking fallback's threads.
#include <algorithm>
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

Io flush(ConnIo& io, Connection& conn)
{
    while (conn.output_size() > 0) {
        const auto data = conn.output();
        const ssize_t n = io.send(data.data(), data.size());
        const Io r = classify(n, errno);
        if (r != Io::progress) return r;
        conn.sent(static_cast<size_t>(n));
    }
    return Io::progress;
}

// Waits for the wanted directions or the deadline (ms < 0: none).
void wait(ConnIo& io, bool want_in, bool want_out, int ms, const sigset_t& mask)
{
    pollfd p[2];
    const int n = io.poll_fds(p, want_in, want_out);
    timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
    ppoll(p, static_cast<nfds_t>(n), ms < 0 ? nullptr : &ts, &mask);
}

// RFC 6455 §7.1.1: the server closes TCP first. Shut our write side so the
// peer sees EOF after our last frame, then read and discard until its EOF,
// so unread data never turns our close into a reset that loses that frame.
void linger(ConnIo& io, Deadlines& deadlines, const Connection& conn, const sigset_t& mask)
{
    io.shutdown_write();
    char scratch[16384];
    for (;;) {
        io.begin_turn();
        const ssize_t n = io.recv(scratch, sizeof scratch);
        if (n > 0) continue;
        if (classify(n, errno) != Io::would_block) return;
        const int ms = deadlines.wait_ms(conn, Clock::now());
        if (ms == 0) return;
        wait(io, true, false, ms, mask);
    }
}

} // namespace

Outcome drive(ConnIo& io, Connection& conn, App& app, const Timeouts& t)
{
    sigset_t stop_signals, wait_mask;
    sigemptyset(&stop_signals);
    for (int sig : {SIGTERM, SIGHUP, SIGINT}) sigaddset(&stop_signals, sig);
    sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
    for (int sig : {SIGTERM, SIGHUP, SIGINT}) sigdelset(&wait_mask, sig);

    Outcome out;
    Deadlines deadlines(t, Clock::now());
    RateLimit rate(t.max_rate);
    bool eof = false;
    Clock::time_point eof_deadline;
    // A read that did not fill the buffer has most likely emptied the socket:
    // then wait before reading again, rather than spend a recv on EAGAIN
    // (one syscall less per message when messages come one at a time).
    bool drained = false;
    for (;;) {
        if (io.begin_turn()) drained = false;
        handle_stop(conn, out);
        deadlines.observe(conn, Clock::now());

        const Io w = flush(io, conn);
        if (w == Io::gone || w == Io::error) {
            out.ending = w == Io::gone ? Ending::peer_gone : Ending::io_error;
            out.error = errno;
            break;
        }
        if (conn.ended() && conn.output_size() == 0) {
            out.ending = ending_of(conn);
            if (!eof) linger(io, deadlines, conn, wait_mask);
            break;
        }
        // The peer's input ended without a close handshake: it is gone, but
        // it may still read (a half-close, or a pipe read by someone else),
        // so what is queued goes out first, for at most the close timeout.
        if (eof && (conn.output_size() == 0 || Clock::now() >= eof_deadline)) {
            out.ending = Ending::peer_gone;
            break;
        }

        // Backpressure: a peer that does not read stops us reading it; so
        // does a Pong held behind output it is not reading (its Pings only
        // replace that Pong, RFC 6455 §5.5.3: reading them is wasted work).
        const bool stalled = w == Io::would_block && conn.output_size() > 0;
        const bool want_read = !eof && !conn.ended() && conn.output_size() < output_high_water &&
                               !(stalled && conn.pong_pending());
        if (want_read && !drained) {
            const auto space = conn.input_space();
            const ssize_t n = io.recv(space.data(), space.size());
            const Io r = classify(n, errno);
            if (r == Io::progress) {
                drained = static_cast<size_t>(n) < space.size();
                out.bytes_in += static_cast<uint64_t>(n);
                conn.received(static_cast<size_t>(n));
                deadlines.input(Clock::now());
                pump(conn, app, rate);
                continue;
            }
            if (r == Io::eof || r == Io::gone) {
                eof = true;
                eof_deadline = Clock::now() + std::chrono::milliseconds(t.close_ms);
                continue;
            }
            if (r == Io::error) {
                out.ending = Ending::io_error;
                out.error = errno;
                break;
            }
        }

        const auto now = Clock::now();
        if (deadlines.expire(conn, now, out)) {
            flush(io, conn);  // a last word (ping timeout), if it fits
            break;
        }
        int ms = deadlines.wait_ms(conn, now);
        if (eof) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(eof_deadline - now).count();
            ms = static_cast<int>(std::max<long long>(0, ms < 0 ? left : std::min<long long>(ms, left)));
        }
        wait(io, want_read, conn.output_size() > 0, ms, wait_mask);
        drained = false;
    }
    // The fallback's writer may still hold bytes: let it finish, bounded by
    // the close timeout, and count only what was written.
    io.finish(t.close_ms);
    out.bytes_out = io.written();
    sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
    return out;
}

} // namespace vws::sys
