#include "sys/connect.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vws::sys {

namespace {

using Clock = std::chrono::steady_clock;

std::string numeric_host(const sockaddr* sa, socklen_t len)
{
    char buf[NI_MAXHOST];
    if (getnameinfo(sa, len, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) != 0) return "?";
    return buf;
}

// One address: a non-blocking connect, waited for until the deadline. Returns
// the socket, or -1 with errno set (ETIMEDOUT when the deadline passed).
int connect_one(const addrinfo* ai, Clock::time_point deadline)
{
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) return -1;
    int err = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        err = errno;
        while (err == EINPROGRESS || err == EINTR) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) {
                err = ETIMEDOUT;
                break;
            }
            pollfd p{fd, POLLOUT, 0};
            const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                err = errno;
                break;
            }
            if (r == 0) continue;  // the loop sees the deadline
            socklen_t len = sizeof err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
            break;
        }
    }
    if (err != 0) {
        close(fd);
        errno = err;
        return -1;
    }
    // Ours alone, but the drivers need no O_NONBLOCK (they use MSG_DONTWAIT).
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

} // namespace

Connected tcp_connect(const std::string& host, const std::string& port, Clock::time_point deadline)
{
    Connected c;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const int gai = getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
    if (gai != 0) {
        c.error = "unable to resolve " + host + ": " + (gai == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(gai));
        return c;
    }
    for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
        const std::string addr = numeric_host(ai->ai_addr, ai->ai_addrlen);
        c.fd = connect_one(ai, deadline);
        if (c.fd >= 0) {
            c.address = addr;
            c.error.clear();
            break;
        }
        const std::string shown = addr.find(':') != std::string::npos ? "[" + addr + "]" : addr;
        if (!c.error.empty()) c.error += ", ";
        c.error += "unable to connect to " + shown + ":" + port + ": " + std::strerror(errno);
        if (Clock::now() >= deadline) break;
    }
    freeaddrinfo(list);
    return c;
}

} // namespace vws::sys
