// The log lines every server program writes, and its exit code: one line
// when the connection opens, one when it ends, in logfmt.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "sys/driver.hpp"

namespace vws::sys {

struct Report {
    std::string remote;   // peer_address()
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    uint64_t messages_in = 0;
    uint64_t messages_out = 0;
};

// "event=open remote=... path=... protocol=..."
void log_open(const Report& r, const Connection& conn, std::string_view protocol = {});
// "event=close ..." or "event=reject ...", with any extra logfmt pairs; returns
// the exit code: 0 clean close, 98 the peer broke the protocol, 111 I/O error.
int log_end(const Report& r, const Connection& conn, const Outcome& o, const std::string& extra = {});

} // namespace vws::sys
