#include "sys/endpoint.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sys/log.hpp"

namespace vws::sys {

namespace {

constexpr int sd_listen_fds_start = 3;  // sd_listen_fds(3)

const char* env_or(const char* name, const char* fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

} // namespace

bool is_socket(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

Endpoint find_endpoint(int fd_option)
{
    Endpoint e;
    const char* fds = std::getenv("LISTEN_FDS");
    const char* pid = std::getenv("LISTEN_PID");
    const bool for_us = fds && pid && std::strtol(pid, nullptr, 10) == getpid();
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDNAMES");

    if (fd_option >= 0) {
        e.in = e.out = fd_option;
    } else if (for_us) {
        // Accept=yes passes exactly one connected socket.
        if (std::strcmp(fds, "1") != 0)
            fatal(exit_code::usage, "LISTEN_FDS=%s: expected one connection (use Accept=yes)", fds);
        e.in = e.out = sd_listen_fds_start;
    }
    struct stat in, out;
    if (fstat(e.in, &in) != 0 || fstat(e.out, &out) != 0)
        fatal(exit_code::usage, "no connection on fd %d/%d: %s", e.in, e.out, std::strerror(errno));
    e.socket = S_ISSOCK(in.st_mode) && S_ISSOCK(out.st_mode);
    // tcpserver and inetd pass one socket as two descriptors: use one, so
    // there is one thing to poll and to set options on.
    if (e.socket && in.st_dev == out.st_dev && in.st_ino == out.st_ino) e.out = e.in;
    e.dev = in.st_dev;
    e.ino = in.st_ino;
    e.out_dev = out.st_dev;
    e.out_ino = out.st_ino;
    return e;
}

void set_nodelay(const Endpoint& e)
{
    if (!e.socket) return;
    const int one = 1;
    // Fails harmlessly on Unix sockets.
    setsockopt(e.in, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (e.out != e.in) setsockopt(e.out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

namespace {

Address socket_address(int fd, bool peer)
{
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) != 0) return {};
    char host[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        return {host, std::to_string(ntohs(a->sin_port))};
    }
    if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        return {host, std::to_string(ntohs(a->sin6_port))};
    }
    if (ss.ss_family == AF_UNIX) return {"unix-socket", ""};
    return {};
}

} // namespace

Address remote_address(const Endpoint& e)
{
    const char* ip = env_or("TCPREMOTEIP", env_or("TCP6REMOTEIP", env_or("REMOTE_ADDR", nullptr)));
    if (ip) return {ip, env_or("TCPREMOTEPORT", env_or("TCP6REMOTEPORT", env_or("REMOTE_PORT", "")))};
    return e.socket ? socket_address(e.in, true) : Address{};
}

Address local_address(const Endpoint& e)
{
    const char* ip = env_or("TCPLOCALIP", env_or("TCP6LOCALIP", nullptr));
    if (ip) return {ip, env_or("TCPLOCALPORT", env_or("TCP6LOCALPORT", ""))};
    return e.socket ? socket_address(e.in, false) : Address{};
}

} // namespace vws::sys
