#include "sys/report.hpp"

#include <cstring>

#include "sys/log.hpp"

namespace vws::sys {

void log_open(const Report& r, const Connection& conn, std::string_view protocol)
{
    char buf[512];
    const std::string_view path = logfmt_value(conn.request().target, buf, sizeof buf);
    log_line("event=open remote=%s path=%.*s%s%.*s", r.remote.c_str(), static_cast<int>(path.size()), path.data(),
             protocol.empty() ? "" : " protocol=", static_cast<int>(protocol.size()), protocol.data());
}

int log_end(const Report& r, const Connection& conn, const Outcome& o, const std::string& extra)
{
    using namespace std::chrono;
    const double secs = duration<double>(steady_clock::now() - r.start).count();
    const char* ending = ending_name(o.ending);
    const Fault fault = conn.fault();

    int code = exit_code::protocol;
    if (o.ending == Ending::closed) code = exit_code::ok;
    if (o.ending == Ending::io_error) code = exit_code::system;

    if (conn.http_status() != 101 && conn.role() == Role::server) {
        // Never upgraded: a refused request, a timeout, or a peer that left.
        log_line("event=reject remote=%s status=%d ending=%s fault=%s duration=%.3fs%s%s", r.remote.c_str(),
                 conn.http_status(), ending, fault_name(fault), secs, extra.empty() ? "" : " ", extra.c_str());
        return code;
    }
    const char* by = o.signalled ? "signal" : o.idle ? "idle" : fault != Fault::none ? "us"
                   : conn.peer_closed_first() ? "peer" : conn.close_code_sent() ? "us" : "none";
    const char* error = o.ending == Ending::io_error ? std::strerror(o.error) : nullptr;
    log_line("event=close remote=%s ending=%s by=%s code_sent=%u code_received=%u fault=%s "
             "messages_in=%llu messages_out=%llu bytes_in=%llu bytes_out=%llu duration=%.3fs%s%s%s%s",
             r.remote.c_str(), ending, by, conn.close_code_sent(), conn.close_code_received(), fault_name(fault),
             static_cast<unsigned long long>(r.messages_in), static_cast<unsigned long long>(r.messages_out),
             static_cast<unsigned long long>(o.bytes_in), static_cast<unsigned long long>(o.bytes_out), secs,
             error ? " error=\"" : "", error ? error : "", error ? "\"" : "", extra.empty() ? "" : (" " + extra).c_str());
    return code;
}

} // namespace vws::sys
