// The client's TCP connection: getaddrinfo (names from /etc/hosts or DNS,
// IPv4 and IPv6), then each address in turn until one answers, all within
// one deadline.
#pragma once

#include <chrono>
#include <string>

namespace vws::sys {

struct Connected {
    int fd = -1;          // a connected TCP socket (blocking, TCP_NODELAY), or -1
    std::string address;  // the address it reached ("127.0.0.1", "::1")
    std::string error;    // when fd < 0: why, for the message
};

// Name resolution is not bounded by the deadline (getaddrinfo has no timeout);
// every connect attempt is.
Connected tcp_connect(const std::string& host, const std::string& port,
                      std::chrono::steady_clock::time_point deadline);

} // namespace vws::sys
