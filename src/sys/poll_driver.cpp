// The driver for programs that talk to the peer alone (vws-echo, your own
// handler). Each turn: write what the core queued, read what the peer sent,
// and only when both would block, wait: in recv() itself when the peer's next
// bytes are all there is to wait for (BlockingRead), otherwise in ppoll for
// readiness or the nearest deadline. Stop signals are blocked except inside
// ppoll and a blocking recv, so one can never slip in between the check and
// the wait. The descriptors are reached through ConnIo: MSG_DONTWAIT on
// sockets, or the blocking fallback's threads.
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include "sys/driver_common.hpp"

namespace vws::sys {

using namespace detail;

namespace {

enum class Io : uint8_t { progress, would_block, eof, gone, error };
enum class Next : uint8_t { again, wait, stop };

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

// Waiting for the peer's next bytes in recv() rather than in ppoll() saves
// a syscall per message (recv, send instead of recv, send, ppoll). The
// nearest deadline becomes the socket's receive timeout, set well short of
// it: the kernel rounds that timeout up to a tick and its timer wheel fires
// long ones up to an eighth late, so after a timeout the rest is waited in
// ppoll, whose timer is exact, and every deadline fires when it did before.
// Stop signals are unblocked while we may block in recv (a blocked signal
// would not interrupt it), and the handler shortens the timeout in case it
// came between our check and the recv; ppoll blocks them again first.
//
// SO_RCVTIMEO belongs to the socket, which another process could share, so:
// under tcpserver and inetd (nowait) the parent closes its copy after the
// fork, and systemd's Accept=yes (or --fd N) hands the connection to us
// alone; our other reads use MSG_DONTWAIT, which ignores the timeout; and the
// timeout is set back to what it was before drive() returns.
class BlockingRead {
public:
    BlockingRead(ConnIo& io, const sigset_t& open_mask) : fd_(io.blocking_read_fd()), open_mask_(open_mask) {}
    BlockingRead(const BlockingRead&) = delete;
    BlockingRead& operator=(const BlockingRead&) = delete;
    ~BlockingRead() { restore(); }

    // The socket's receive timeout as we found it; no more wake-ups.
    void restore()
    {
        wake_socket = -1;
        if (saved_) setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &original_, sizeof original_);
        saved_ = false;
    }

    // Readies a recv that waits at most ms (-1: no deadline); false when the
    // wait belongs in ppoll: no socket, a deadline that is near or was just
    // waited for in recv, or a stop signal.
    bool arm(int ms)
    {
        if (fd_ < 0 || timed_out_ || stop_requested || (ms >= 0 && ms < min_ms)) return false;
        // Fits: wakes before the deadline even when the kernel adds an eighth
        // and a tick or two, and not needlessly early.
        const bool fits = ms < 0 ? timeout_ms_ == 0
                                 : timeout_ms_ > 0 && timeout_ms_ * 9 / 8 + 20 <= ms && timeout_ms_ >= ms * 5 / 8;
        if (!fits && !set_timeout(ms < 0 ? 0 : ms * 13 / 16)) return false;
        if (!signals_open_) {
            sigprocmask(SIG_SETMASK, &open_mask_, nullptr);
            signals_open_ = true;
        }
        return !stop_requested;
    }

    ssize_t recv(void* buf, size_t size)
    {
        const ssize_t n = ::recv(fd_, buf, size, 0);
        timed_out_ = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        return n;
    }

    // Input arrived: the next wait may be a recv again.
    void input() { timed_out_ = false; }

    // Before ppoll: its mask is what makes it race-free, so the stop
    // signals go back to blocked first.
    void before_poll(const sigset_t& stop)
    {
        if (!signals_open_) return;
        sigprocmask(SIG_BLOCK, &stop, nullptr);
        signals_open_ = false;
    }

private:
    static constexpr int min_ms = 1000;  // nearer deadlines are waited in ppoll

    bool set_timeout(int ms)
    {
        if (!saved_) {
            socklen_t len = sizeof original_;
            if (getsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &original_, &len) != 0) {
                fd_ = -1;
                return false;
            }
            saved_ = true;
            wake_socket = fd_;
        }
        const timeval tv{ms / 1000, (ms % 1000) * 1000};
        if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) return false;
        timeout_ms_ = ms;
        return true;
    }

    int fd_;
    const sigset_t& open_mask_;
    timeval original_{};
    int timeout_ms_ = -1;  // as we set it (0: none); -1 not set by us
    bool saved_ = false, signals_open_ = false, timed_out_ = false;
};

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
    bool drained = false;
    BlockingRead blocking(io, wait_mask);
    // What a recv of `space` bytes returned: go round again, wait, or stop.
    // A read that did not fill the buffer has most likely emptied the socket:
    // then the next read waits (one syscall less per message).
    auto take = [&](ssize_t n, size_t space) {
        const Io r = classify(n, errno);
        if (r == Io::progress) {
            drained = static_cast<size_t>(n) < space;
            out.bytes_in += static_cast<uint64_t>(n);
            conn.received(static_cast<size_t>(n));
            deadlines.input(Clock::now());
            blocking.input();
            pump(conn, app, rate);
            return Next::again;
        }
        if (r == Io::eof || r == Io::gone) {
            eof = true;
            eof_deadline = Clock::now() + std::chrono::milliseconds(t.close_ms);
            return Next::again;
        }
        if (r == Io::error) {
            out.ending = Ending::io_error;
            out.error = errno;
            return Next::stop;
        }
        drained = true;
        return Next::wait;
    };
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
            const Next next = take(io.recv(space.data(), space.size()), space.size());
            if (next == Next::stop) break;
            if (next == Next::again) continue;
        }

        const auto now = Clock::now();
        if (deadlines.expire(conn, now, out)) {
            flush(io, conn);  // a last word (ping timeout), if it fits
            break;
        }
        int ms = deadlines.wait_ms(conn, now);
        // Nothing to write, nothing but the peer's next bytes to wait for.
        if (want_read && conn.output_size() == 0 && blocking.arm(ms)) {
            const auto space = conn.input_space();
            // Bytes, a stop signal or the receive timeout: the next turn
            // sees to each.
            if (take(blocking.recv(space.data(), space.size()), space.size()) == Next::stop) break;
            continue;
        }
        if (eof) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(eof_deadline - now).count();
            ms = static_cast<int>(std::max<long long>(0, ms < 0 ? left : std::min<long long>(ms, left)));
        }
        blocking.before_poll(stop_signals);
        // A stop signal that came while they were unblocked: see to it first.
        if (stop_requested && !out.signalled) continue;
        wait(io, want_read, conn.output_size() > 0, ms, wait_mask);
        drained = false;
    }
    // The fallback's writer may still hold bytes: let it finish, bounded by
    // the close timeout, and count only what was written.
    io.finish(t.close_ms);
    out.bytes_out = io.written();
    blocking.restore();
    sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
    return out;
}

} // namespace vws::sys
