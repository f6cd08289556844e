// The bridge's poll loop. Each turn tries every transfer that its buffers
// allow (syscalls first; only when none made progress does it wait in ppoll),
// then moves the endings along: see bridge.hpp for the rules.
#include "sys/bridge.hpp"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sys/log.hpp"
#include "vws/utf8.hpp"

namespace vws::sys {

using namespace detail;

namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

std::chrono::milliseconds ms(int n) { return std::chrono::milliseconds(n); }

} // namespace

Bridge::Bridge(ConnIo& io, Connection& conn, const BridgeOptions& opt)
    : io_(io), conn_(conn), opt_(opt), decoder_(opt.framing, opt.max_message),
      deadlines_(opt.timeouts, Clock::now()), rate_(opt.timeouts.max_rate)
{
}

void Bridge::attach_child(Child& child)
{
    child_ = &child;
    conn_.defer_close_reply();  // the child's last words and status answer a Close
    stream_in_ = child.stdout_fd();
    stream_out_ = child.stdin_fd();
}

void Bridge::attach_stream(int in_fd, int out_fd)
{
    stream_in_ = in_fd;
    stream_out_ = out_fd;
    stream_blocking_ = true;
}

Outcome Bridge::run()
{
    sigset_t stop;
    sigemptyset(&stop);
    for (int sig : {SIGTERM, SIGHUP, SIGINT}) sigaddset(&stop, sig);
    sigprocmask(SIG_BLOCK, &stop, &wait_mask_);
    for (int sig : {SIGTERM, SIGHUP, SIGINT}) sigdelset(&wait_mask_, sig);

    for (;;) {
        const bool progress = step();
        advance_endings();
        if (finished()) break;
        if (!progress) wait();
    }
    if (ws_shut_) out_.ending = ending_;
    // The fallback's writer may still hold bytes: let it finish, bounded by
    // the close timeout, and count only what was written.
    io_.finish(opt_.timeouts.close_ms);
    out_.bytes_out = io_.written();
    sigprocmask(SIG_UNBLOCK, &stop, nullptr);
    return out_;
}

Flow Bridge::flow() const
{
    Flow f;
    f.peer_dead = ws_dead_;
    f.peer_eof = peer_eof_;
    f.draining = ws_shut_;
    f.frames_wanted = !conn_.ended() && conn_.state() != State::answering;
    f.can_send = conn_.can_send();
    f.peer_output = conn_.output_size();
    f.output_stalled = output_stalled_;
    f.pong_pending = conn_.pong_pending();
    f.stream_in_open = stream_in_ >= 0 && !stream_eof_;
    f.stream_out_open = stream_out_ >= 0 && !stream_closed_;
    f.stream_output = to_stream_.size();
    return f;
}

// One round of transfers; true if any moved bytes.
bool Bridge::step()
{
    io_.begin_turn();
    handle_stop(conn_, out_);
    if (out_.signalled) begin_child_shutdown();
    deadlines_.observe(conn_, Clock::now());
    bool progress = false;
    progress |= flush_socket();
    progress |= write_stream();
    progress |= read_socket();
    progress |= read_stream();
    progress |= reap_child();
    return progress;
}

// waitpid only once the pidfd says the child exited (or on the tick, where
// there is no pidfd).
bool Bridge::reap_child()
{
    if (!child_ || child_exit_seen_) return false;
    if (child_->pidfd() >= 0 && !child_readable_) return false;
    child_readable_ = false;
    if (!child_->reap()) return false;
    child_exit_seen_ = true;
    exit_at_ = Clock::now();
    return true;
}

bool Bridge::flush_socket()
{
    bool progress = false;
    while (want_peer_out(flow())) {
        const auto data = conn_.output();
        const ssize_t n = io_.send(data.data(), data.size());
        output_stalled_ = n < 0 && would_block(errno);
        if (output_stalled_) break;
        if (n <= 0) {
            ws_dead_ = true;
            out_.ending = Ending::peer_gone;
            break;
        }
        conn_.sent(static_cast<size_t>(n));
        progress = true;
    }
    return progress;
}

bool Bridge::read_socket()
{
    if (!want_peer_in(flow())) return false;
    if (ws_shut_) return drain_socket();
    const auto space = conn_.input_space();
    const ssize_t n = io_.recv(space.data(), space.size());
    if (n < 0 && would_block(errno)) return false;
    if (n == 0) {
        // Gone without a Close, but it may still read (a half-close, or a
        // pipe read by someone else): what is queued goes out first.
        peer_eof_ = true;
        peer_eof_at_ = Clock::now();
        out_.ending = Ending::peer_gone;
        return true;
    }
    if (n < 0) {
        ws_dead_ = true;
        out_.ending = errno == ECONNRESET ? Ending::peer_gone : Ending::io_error;
        out_.error = errno;
        return true;
    }
    out_.bytes_in += static_cast<uint64_t>(n);
    conn_.received(static_cast<size_t>(n));
    deadlines_.input(Clock::now());
    for (Event e = conn_.next_event(); e.type != EventType::none; e = conn_.next_event())
        if (admit(conn_, e, rate_)) on_event(e);
    return true;
}

void Bridge::on_event(const Event& e)
{
    switch (e.type) {
    case EventType::request:
    case EventType::http_request:  // conn_.plain_request() tells them apart
        if (on_request) on_request(conn_, *this);
        break;
    case EventType::upgraded:
        if (on_upgraded) on_upgraded(conn_);
        break;
    case EventType::close:
        // The client is done sending: the child's stdin closes once what it is
        // owed is written, and what it still says goes out (answering state).
        begin_child_shutdown();
        break;
    case EventType::text:
    case EventType::binary:
        ++stats_.messages_in;
        if (on_message) on_message(e);
        // Line mode has no way to carry a binary message (RFC 6455 §7.4.1: 1003).
        if (e.type == EventType::binary && opt_.framing == Framing::line) {
            conn_.fail(Fault::unsupported_data);
            break;
        }
        if (!stream_closed_ && !encode_message(opt_.framing, e.data, e.size, to_stream_))
            conn_.fail(Fault::no_memory_for_message);
        break;
    default:
        break;  // pings are answered by the core; faults end below
    }
}

bool Bridge::write_stream()
{
    if (!want_stream_out(flow())) return false;
    if (stream_blocking_ && !stream_writable_) return false;
    // A blocking descriptor that polled writable takes PIPE_BUF without blocking.
    const size_t size = stream_blocking_ ? std::min<size_t>(to_stream_.size(), PIPE_BUF) : to_stream_.size();
    const ssize_t n = write(stream_out_, to_stream_.data(), size);
    stream_writable_ = false;
    if (n < 0 && would_block(errno)) return false;
    if (n < 0) {
        // The child closed its stdin (EPIPE): what it was sent is dropped; it
        // may still have things to say. Without a child (vws-client | head)
        // nobody is listening any more: say so to the peer.
        to_stream_.clear();
        stream_closed_ = true;
        if (!child_) conn_.close(close_code::going_away, "output closed");
        return true;
    }
    to_stream_.consume(static_cast<size_t>(n));
    // A burst (one large message) is over: memory per connection is the scale limit.
    to_stream_.release_if_over(256 << 10);
    return true;
}

bool Bridge::read_stream()
{
    if (!want_stream_in(flow())) return false;
    if (stream_blocking_ && !stream_readable_) return false;
    stream_readable_ = false;
    const auto space = decoder_.input_space();
    const ssize_t n = read(stream_in_, space.data(), space.size());
    if (n < 0 && would_block(errno)) return false;
    if (n > 0) {
        decoder_.received(static_cast<size_t>(n));
        for (auto it = decoder_.next(); it.status != StreamDecoder::Status::none; it = decoder_.next())
            deliver(it);
        return true;
    }
    stream_eof_ = true;
    eof_at_ = Clock::now();
    for (auto it = decoder_.finish(); it.status != StreamDecoder::Status::none; it = decoder_.next())
        deliver(it);
    return true;
}

void Bridge::deliver(const StreamDecoder::Item& it)
{
    if (!conn_.can_send()) return;
    if (it.status == StreamDecoder::Status::too_big) return stream_fault("message_too_big");
    if (it.status == StreamDecoder::Status::malformed) return stream_fault("malformed_netstring");
    if (it.status == StreamDecoder::Status::no_memory) return stream_fault("message_too_big_for_memory");
    const bool text = opt_.framing == Framing::line || (opt_.framing == Framing::netstring && opt_.netstring_text);
    // Never send invalid UTF-8 as text: that is the child's fault, not the peer's.
    if (text && !valid_utf8(it.data, it.size)) return stream_fault("bad_utf8");
    conn_.send_message(text ? Opcode::text : Opcode::binary, it.data, it.size);
    ++stats_.messages_out;
}

void Bridge::stream_fault(const char* what)
{
    stats_.stream_fault = what;
    stream_eof_ = true;  // nothing more from that stream can be trusted
    conn_.close(close_code::internal_error, std::string(opt_.stream_name) + " sent " + what);
    begin_child_shutdown();
}

// After our last frame: RFC 6455 §7.1.1, the server closes TCP first. Shut our
// write side so the peer sees EOF at once, whatever the child still does, then
// read and discard until its EOF, so unread data never turns into a reset
// that loses our Close frame.
bool Bridge::drain_socket()
{
    char scratch[16384];
    const ssize_t n = io_.recv(scratch, sizeof scratch);
    if (n < 0 && would_block(errno)) return false;
    if (n <= 0) ws_dead_ = true;
    return true;
}

// Moves the endings along; see the rules in bridge.hpp.
void Bridge::advance_endings()
{
    const auto now = Clock::now();
    if (!ws_shut_ && !ws_dead_ && conn_.ended() && conn_.output_size() == 0) {
        io_.shutdown_write();
        ws_shut_ = true;
        ending_ = ending_of(conn_);
    }
    if (!ws_dead_ && deadlines_.expire(conn_, now, out_)) {
        flush_socket();  // a last word (ping timeout), if it fits
        ws_dead_ = true;  // gave up on the peer
    }
    // After the peer's EOF, the rest of the output for at most the close timeout.
    if (peer_eof_ && !ws_dead_ &&
        (conn_.output_size() == 0 || now >= peer_eof_at_ + ms(opt_.timeouts.close_ms)))
        ws_dead_ = true;
    if (conn_.ended() || ws_dead_ || peer_eof_) begin_child_shutdown();
    if (!child_ && stream_eof_ && conn_.state() == State::open && conn_.output_size() == 0 &&
        now >= eof_at_ + ms(opt_.eof_linger_ms))
        conn_.close(opt_.eof_close_code);  // client: our input is over
    if (child_) answer_with_child_status(now);
    escalate(now);
}

// The child's status closes the connection (or answers the client's Close)
// once its output is read, or a grandchild keeps stdout open past the grace.
// A child that outlives SIGKILL (uninterruptible sleep) does not hold the
// client's answer past a third grace.
void Bridge::answer_with_child_status(Clock::time_point now)
{
    if (!conn_.can_send()) return;
    const auto grace = ms(opt_.kill_grace_ms);
    if (child_exit_seen_ && (stream_eof_ || now >= exit_at_ + grace)) {
        conn_.close(child_->succeeded() ? close_code::normal : close_code::internal_error, child_->status_text());
        begin_child_shutdown();
    } else if (shutdown_started_ && now >= shutdown_at_ + 3 * grace) {
        conn_.close(close_code::internal_error, "child did not exit");
    }
}

void Bridge::begin_child_shutdown()
{
    if (shutdown_started_ || !child_) return;
    shutdown_started_ = true;
    shutdown_at_ = Clock::now();
}

// Close stdin (once what it was owed is written, or after the grace), then
// SIGTERM to the group after the grace, then SIGKILL after another.
void Bridge::escalate(Clock::time_point now)
{
    if (!shutdown_started_) return;
    const auto grace = ms(opt_.kill_grace_ms);
    if (!stream_closed_ && (to_stream_.empty() || now >= shutdown_at_ + grace)) {
        child_->close_stdin();
        stream_closed_ = true;
        to_stream_.clear();
    }
    if (child_done()) return;
    if (escalation_ == 0 && now >= shutdown_at_ + grace) {
        child_->signal_group(SIGTERM);
        escalation_ = 1;
    }
    if (escalation_ == 1 && now >= shutdown_at_ + 2 * grace) {
        child_->signal_group(SIGKILL);
        escalation_ = 2;
    }
}

bool Bridge::child_done() const
{
    return !child_ || (child_exit_seen_ && !child_->group_alive());
}

bool Bridge::finished() const
{
    const bool ws_done = ws_dead_;
    const bool stream_done = child_ ? child_done() : to_stream_.empty() || stream_closed_;
    return ws_done && stream_done;
}

// Waits for readiness or the nearest deadline (protocol timeouts, the kill
// escalation, the grace for a grandchild holding stdout). What is polled comes
// from the same rules as what step() tries.
void Bridge::wait()
{
    const Flow f = flow();
    pollfd p[6];  // connection (2), hang-up, stream (2), pidfd
    nfds_t np = 0;
    const bool sock_in = want_peer_in(f), sock_out = want_peer_out(f);
    if (sock_in || sock_out) np += io_.poll_fds(p, sock_in, sock_out);
    // Only a reset or a full hang-up counts (events 0 still reports POLLHUP
    // and POLLERR): a FIN may follow a Close (§7.1.1) and data we still owe
    // the stream. A peer gone by FIN is reset by our next ping.
    const nfds_t hangup_at = np;
    const bool watch_hangup = watch_peer_hangup(f) && io_.hangup_fd() >= 0;
    if (watch_hangup) p[np++] = {io_.hangup_fd(), 0, 0};
    const nfds_t stream_at = np;
    p[np++] = {want_stream_in(f) ? stream_in_ : -1, POLLIN, 0};
    p[np++] = {want_stream_out(f) ? stream_out_ : -1, POLLOUT, 0};
    const nfds_t pidfd_at = np;
    if (child_ && !child_exit_seen_ && child_->pidfd() >= 0) p[np++] = {child_->pidfd(), POLLIN, 0};

    int timeout = ws_dead_ ? -1 : deadlines_.wait_ms(conn_, Clock::now());
    auto until = [&](Clock::time_point t) {
        const int left = static_cast<int>(std::max<long long>(
            0, std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count()));
        timeout = timeout < 0 ? left : std::min(timeout, left);
    };
    const auto grace = ms(opt_.kill_grace_ms);
    // The next step of the escalation; after SIGKILL the pidfd tells of the
    // exit, and the rest of the group is looked at on a slow tick.
    if (shutdown_started_ && !child_done() && escalation_ < 2) until(shutdown_at_ + (escalation_ + 1) * grace);
    if (shutdown_started_ && child_exit_seen_ && !child_done()) until(Clock::now() + ms(200));
    if (child_exit_seen_ && conn_.can_send() && !stream_eof_) until(exit_at_ + grace);
    if (shutdown_started_ && !child_exit_seen_ && conn_.can_send()) until(shutdown_at_ + 3 * grace);
    if (peer_eof_ && !ws_dead_) until(peer_eof_at_ + ms(opt_.timeouts.close_ms));
    if (child_ && !child_exit_seen_ && child_->pidfd() < 0) until(Clock::now() + ms(100));  // no pidfd: poll waitpid
    if (!child_ && stream_eof_ && conn_.state() == State::open && conn_.output_size() == 0)
        until(eof_at_ + ms(opt_.eof_linger_ms));

    timespec ts{timeout / 1000, (timeout % 1000) * 1'000'000L};
    if (ppoll(p, np, timeout < 0 ? nullptr : &ts, &wait_mask_) <= 0) return;
    if (watch_hangup && (p[hangup_at].revents & (POLLHUP | POLLERR))) {
        ws_dead_ = true;
        out_.ending = Ending::peer_gone;
    }
    stream_readable_ = p[stream_at].revents != 0;
    stream_writable_ = p[stream_at + 1].revents != 0;
    child_readable_ = pidfd_at < np && p[pidfd_at].revents != 0;
}

} // namespace vws::sys
