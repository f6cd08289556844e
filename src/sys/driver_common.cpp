#include "sys/driver_common.hpp"

#include <algorithm>
#include <cstring>

namespace vws::sys {

namespace detail {

volatile std::sig_atomic_t stop_requested = 0;

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

void Deadlines::observe(const Connection& c, Clock::time_point now)
{
    if (!closing_ && (c.state() == State::closing || c.ended())) {
        closing_ = true;
        close_start_ = now;
    }
}

int Deadlines::wait_ms(const Connection& c, Clock::time_point now) const
{
    if (closing_) return ms_until(close_start_ + std::chrono::milliseconds(t_.close_ms), now);
    if (c.state() == State::handshake || c.state() == State::deciding) {
        if (t_.handshake_ms <= 0) return -1;
        return ms_until(handshake_deadline(), now);
    }
    if (t_.idle_ms > 0) return ms_until(last_input_ + std::chrono::milliseconds(t_.idle_ms), now);
    return -1;
}

bool Deadlines::expire(Connection& c, Clock::time_point now, Outcome& out)
{
    const int left = wait_ms(c, now);
    if (left != 0) return false;
    if (closing_) {
        out.ending = Ending::close_timeout;
        return true;
    }
    if (c.state() == State::handshake || c.state() == State::deciding) {
        out.ending = Ending::handshake_timeout;
        return true;
    }
    // Idle: say why, and give the peer the close timeout to answer.
    out.idle = true;
    c.close(close_code::going_away, "idle timeout");
    observe(c, now);
    return false;
}

void pump(Connection& c, App& app)
{
    for (;;) {
        const Event e = c.next_event();
        if (e.type == EventType::none) return;
        app.on_event(c, e);
    }
}

void handle_stop(Connection& c, Outcome& out)
{
    if (!stop_requested || out.signalled) return;
    out.signalled = true;
    c.close(close_code::going_away, "server shutting down");
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
    case Ending::io_error: return "io_error";
    }
    return "unknown";
}

namespace {
void on_stop_signal(int) { detail::stop_requested = 1; }
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
