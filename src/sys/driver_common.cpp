#include "sys/driver_common.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vws::sys {

namespace detail {

volatile std::sig_atomic_t stop_requested = 0;
volatile std::sig_atomic_t wake_socket = -1;

namespace {
int ms_until(Clock::time_point when, Clock::time_point now)
{
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(when - now).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, 24 * 3600 * 1000));
}
} // namespace

Clock::time_point Deadlines::handshake_deadline() const
{
    return start_ + std::chrono::milliseconds(t_.handshake_ms);
}

void Deadlines::input(Clock::time_point now)
{
    last_input_ = now;
    ping_sent_ = false;  // any input shows the peer is alive
}

void Deadlines::observe(const Connection& c, Clock::time_point now)
{
    // A file being sent is not a close: it may take long, as long as it moves.
    if (c.body_left() > 0) {
        if (c.body_left() != body_left_seen_) body_progress_ = now;
        body_left_seen_ = c.body_left();
        return;
    }
    if (!closing_ && (c.state() == State::closing || c.ended())) {
        closing_ = true;
        close_start_ = now;
    }
}

int Deadlines::wait_ms(const Connection& c, Clock::time_point now) const
{
    using std::chrono::milliseconds;
    if (c.body_left() > 0) return ms_until(body_progress_ + milliseconds(t_.close_ms), now);
    if (closing_) return ms_until(close_start_ + milliseconds(t_.close_ms), now);
    if (c.state() == State::handshake || c.state() == State::deciding) {
        if (t_.handshake_ms <= 0) return -1;
        return ms_until(handshake_deadline(), now);
    }
    int wait = -1;
    auto nearest = [&](Clock::time_point t) {
        const int ms = ms_until(t, now);
        wait = wait < 0 ? ms : std::min(wait, ms);
    };
    if (t_.idle_ms > 0) nearest(last_input_ + milliseconds(t_.idle_ms));
    if (t_.ping_interval_ms > 0)
        nearest(ping_sent_ ? ping_at_ + milliseconds(t_.pong_timeout_ms) : last_input_ + milliseconds(t_.ping_interval_ms));
    return wait;
}

bool Deadlines::expire(Connection& c, Clock::time_point now, Outcome& out)
{
    using std::chrono::milliseconds;
    if (wait_ms(c, now) != 0) return false;
    if (closing_ || c.body_left() > 0) {
        out.ending = Ending::close_timeout;
        return true;
    }
    if (c.state() == State::handshake && out.bytes_in > 0) {
        // Part of a request (slowloris, or a client that is not speaking
        // HTTP): answer 408 and close. A connection that sent nothing at all
        // (a port probe) is simply closed.
        c.reject(Fault::request_timeout);
        observe(c, now);
        return false;
    }
    if (c.state() == State::handshake || c.state() == State::deciding) {
        out.ending = Ending::handshake_timeout;
        return true;
    }
    if (t_.idle_ms > 0 && now >= last_input_ + milliseconds(t_.idle_ms)) {
        // Idle: say why, and give the peer the close timeout to answer.
        out.idle = true;
        c.close(close_code::going_away, "idle timeout");
        observe(c, now);
        return false;
    }
    if (ping_sent_) {
        // RFC 6455 §5.5.2: a live peer answers; this one is gone. Say so in
        // a Close, but wait for nothing more.
        c.close(close_code::going_away, "ping timeout");
        out.ending = Ending::ping_timeout;
        return true;
    }
    c.send_ping(nullptr, 0);
    ping_sent_ = true;
    ping_at_ = now;
    return false;
}

bool RateLimit::allow(Clock::time_point now)
{
    if (per_second_ == 0) return true;
    // A token bucket holding one second's worth: bursts up to the rate pass.
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min<double>(per_second_, tokens_ + elapsed * per_second_);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

bool admit(Connection& c, const Event& e, RateLimit& rate)
{
    if (e.type != EventType::text && e.type != EventType::binary) return true;
    if (rate.allow(Clock::now())) return true;
    c.fail(Fault::rate_exceeded);
    return false;
}

void pump(Connection& c, App& app, RateLimit& rate)
{
    for (Event e = c.next_event(); e.type != EventType::none; e = c.next_event())
        if (admit(c, e, rate)) app.on_event(c, e);
}

void handle_stop(Connection& c, Outcome& out)
{
    if (!stop_requested || out.signalled) return;
    out.signalled = true;
    c.close(close_code::going_away, "shutting down");
}

Ending ending_of(const Connection& c)
{
    return c.state() == State::closed ? Ending::closed : Ending::failed;
}

} // namespace detail

const char* ending_name(Ending e)
{
    switch (e) {
    case Ending::closed: return "closed";
    case Ending::failed: return "failed";
    case Ending::peer_gone: return "peer_gone";
    case Ending::handshake_timeout: return "handshake_timeout";
    case Ending::close_timeout: return "close_timeout";
    case Ending::ping_timeout: return "ping_timeout";
    case Ending::io_error: return "io_error";
    }
    return "unknown";
}

namespace {
void on_stop_signal(int)
{
    detail::stop_requested = 1;
    // The driver may have checked stop_requested just before it entered a
    // blocking recv (signals are not blocked around it): the shortest receive
    // timeout makes that recv return at once. setsockopt is async-signal-safe.
    const int fd = detail::wake_socket;
    if (fd < 0) return;
    const int saved = errno;
    const timeval shortest{0, 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &shortest, sizeof shortest);
    errno = saved;
}
} // namespace

void install_signal_handlers()
{
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns EINTR
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
}

} // namespace vws::sys
