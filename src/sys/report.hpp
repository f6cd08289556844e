// The log lines every server program writes, and its exit code: one line
// when the connection opens, one when it ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "sys/driver.hpp"
#include "sys/endpoint.hpp"
#include "sys/options.hpp"

namespace vws::sys {

struct Report {
    Address remote;           // the client (behind a trusted proxy: as it says)
    std::string proxy;        // the trusted proxy's address, when one spoke for the client
    std::string bad_forwarded; // what a trusted proxy gave instead of an IP literal (remote kept)
    uint64_t headers_dropped = 0; // request headers not passed to the child (logged at --verbose)
    std::string protocol;     // negotiated subprotocol
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    // A failure on our side before the upgrade ("unable to run ./chat: ..."):
    // logged as error=, and the exit code is 111.
    std::string error;
    // vws-handler's child.
    std::string program;
    long child_pid = -1;
    int child_exit = -1;      // exit status, or -1
    int child_signal = -1;    // terminating signal, or -1
    std::string child_fault;  // what the child sent wrong
    // A plain answer (--static, --devconsole): the bytes before the file's.
    uint64_t http_head = 0;
};

// After the request: the negotiated subprotocol, and the client's address
// from X-Forwarded-For / X-Real-IP when the peer is one of `trusted` and
// that is an IP literal (else the peer's address stays, and the bad value is
// logged as bad_forwarded).
void note_request(Report& r, const Connection& conn, const std::vector<std::string>& trusted);
// event=open
void log_open(const Report& r, const Connection& conn);
// event=close (with the messages the connection counted both ways), or
// event=reject when there was no upgrade; returns the exit code: 0 clean
// close, 98 the peer broke the protocol or vanished, 111 I/O error, r.error
// or out of memory (a memory fault).
int log_end(const Report& r, const Connection& conn, const Outcome& o);

// One connection served by an App of your own, with the log lines vws-echo
// writes: finds the connection (prepare_connection), logs event=open with the
// client's address and subprotocol once the app has accepted, drives it, logs
// event=close; returns the exit code for main. The app only answers events.
// Out of memory anywhere is a fatal line and exit 111 (exit_on_out_of_memory).
int serve(const CommonOptions& o, App& app);

} // namespace vws::sys
