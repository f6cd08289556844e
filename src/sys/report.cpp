#include "sys/report.hpp"

#include <algorithm>
#include <cstring>

#include "sys/log.hpp"

namespace vws::sys {

namespace {

void common_fields(LogLine& l, const Report& r, const Connection& conn)
{
    l.str("remote_addr", r.remote.ip).str("remote_port", r.remote.port).str("proxy", r.proxy);
    l.str("bad_forwarded", r.bad_forwarded);
    l.str("path", conn.request().target).str("protocol", r.protocol);
}

const char* closed_by(const Connection& conn, const Outcome& o)
{
    if (o.signalled) return "signal";
    if (o.idle) return "idle";
    if (o.ending == Ending::ping_timeout) return "ping_timeout";
    if (conn.fault() != Fault::none) return "us";
    if (conn.peer_closed_first()) return "peer";
    return conn.close_code_sent() ? "us" : "none";
}

} // namespace

void note_request(Report& r, const Connection& conn, const std::vector<std::string>& trusted)
{
    r.protocol = conn.protocol();
    if (std::find(trusted.begin(), trusted.end(), r.remote.ip) == trusted.end()) return;
    ForwardedClient client = forwarded_client(conn.request(), trusted);
    r.bad_forwarded = std::move(client.bad);
    if (client.addr.empty()) return;
    r.proxy = r.remote.ip;
    r.remote = {std::move(client.addr), ""};
}

void log_open(const Report& r, const Connection& conn)
{
    LogLine l("open");
    common_fields(l, r, conn);
    if (const std::string* origin = conn.request().header("Origin")) l.str("origin", *origin);
    l.str("child", r.program);
    if (r.child_pid > 0) l.num("child_pid", static_cast<uint64_t>(r.child_pid));
    if (log_verbose() && r.headers_dropped > 0) l.num("headers_dropped", r.headers_dropped);
}

int log_end(const Report& r, const Connection& conn, const Outcome& o)
{
    using namespace std::chrono;
    const double secs = duration<double>(steady_clock::now() - r.start).count();
    int code = exit_code::protocol;
    if (o.ending == Ending::closed) code = exit_code::ok;
    if (o.ending == Ending::io_error || !r.error.empty()) code = exit_code::system;
    // Out of memory is our failure, not the peer's (the peer got 1009 or 1011).
    if (is_memory_fault(conn.fault())) code = exit_code::system;

    const bool upgraded = conn.role() == Role::client || conn.http_status() == 101;
    if (conn.plain_request() && conn.http_status() != 0) {
        // --static or --devconsole: one line like any connection's.
        LogLine l("http", r.error.empty() ? LogLevel::normal : LogLevel::quiet);
        l.str("remote_addr", r.remote.ip).str("remote_port", r.remote.port).str("proxy", r.proxy);
        l.str("method", conn.request().method).str("path", conn.request().target);
        l.num("status", static_cast<uint64_t>(conn.http_status())).str("ending", ending_name(o.ending));
        if (!r.error.empty()) l.str("error", r.error);
        l.num("bytes", o.bytes_out > r.http_head ? o.bytes_out - r.http_head : 0);
        l.num("bytes_in", o.bytes_in).num("bytes_out", o.bytes_out).secs("duration", secs);
        return code;
    }
    if (conn.http_status() == 200) {
        LogLine("health", LogLevel::verbose).str("remote_addr", r.remote.ip).str("path", conn.request().target);
        return code;
    }
    if (!upgraded && o.bytes_in == 0) {
        // Connected and left without a word: a TCP health check or a port probe.
        LogLine("probe", LogLevel::verbose).str("remote_addr", r.remote.ip).str("ending", ending_name(o.ending));
        return code;
    }
    // A failure of ours (the program cannot run) shows even under --quiet.
    LogLine l(upgraded ? "close" : "reject", r.error.empty() ? LogLevel::normal : LogLevel::quiet);
    common_fields(l, r, conn);
    if (!upgraded) l.num("status", static_cast<uint64_t>(conn.http_status()));
    l.str("ending", ending_name(o.ending));
    if (conn.fault() != Fault::none) l.str("fault", fault_name(conn.fault()));
    if (!r.error.empty()) l.str("error", r.error);
    else if (o.ending == Ending::io_error) l.str("error", std::strerror(o.error));
    if (upgraded) {
        l.str("by", closed_by(conn, o));
        if (conn.close_code_sent()) l.num("code_sent", conn.close_code_sent());
        if (conn.close_code_received()) l.num("code_received", conn.close_code_received());
        l.str("reason_received", conn.close_reason_received());
        l.num("messages_in", conn.messages_received()).num("messages_out", conn.messages_sent());
    }
    l.num("bytes_in", o.bytes_in).num("bytes_out", o.bytes_out).secs("duration", secs);
    l.str("child", r.program);
    if (r.child_pid > 0) l.num("child_pid", static_cast<uint64_t>(r.child_pid));
    if (r.child_exit >= 0) l.num("child_exit", static_cast<uint64_t>(r.child_exit));
    if (r.child_signal >= 0) l.num("child_signal", static_cast<uint64_t>(r.child_signal));
    l.str("child_fault", r.child_fault);
    return code;
}

namespace {

// Wraps the app of serve(): plain requests answered by the pages (--static,
// --devconsole), and the log's open line once the app has accepted.
class Reported : public App {
public:
    Reported(App& app, Report& r, const CommonOptions& o) : app_(app), r_(r), trusted_(o.trusted_proxies), pages_(o.pages, o.policy) {}

    const HttpPages& pages() const { return pages_; }

    void on_event(Connection& conn, const Event& e) override
    {
        if (e.type == EventType::http_request) {
            note_request(r_, conn, trusted_);
            pages_.answer(conn);
            r_.http_head = pages_.head_size();
            return;
        }
        app_.on_event(conn, e);
        if (e.type == EventType::request && conn.state() == State::open) {
            note_request(r_, conn, trusted_);
            log_open(r_, conn);
        }
    }

private:
    App& app_;
    Report& r_;
    const std::vector<std::string>& trusted_;
    HttpPages pages_;
};

} // namespace

int serve(const CommonOptions& o, App& app)
{
    exit_on_out_of_memory();
    const Endpoint ep = prepare_connection(o);
    Report r;
    r.remote = remote_address(ep);
    Connection conn(o.limits, o.policy);
    Reported reported(app, r, o);
    const auto io = open_conn_io(ep, o.blocking);
    const Outcome outcome = drive(*io, conn, reported, o.timeouts);
    r.error = reported.pages().error();
    return log_end(r, conn, outcome);
}

} // namespace vws::sys
