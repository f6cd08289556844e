// Where the connection is: fd 0/1 (tcpserver, inetd, systemd StandardInput=
// socket), fd 3 from systemd socket activation (LISTEN_FDS=1 for our pid), or
// a descriptor named with --fd. Nothing here changes the descriptors' file
// status flags: they may be shared with whoever started us.
#pragma once

#include <sys/types.h>

#include <string>

namespace vws::sys {

struct Endpoint {
    int in = 0;
    int out = 1;
    bool socket = false;  // both ends are sockets: recv/send with MSG_DONTWAIT work
    // What the descriptors are (st_dev, st_ino), to tell fd 2 apart from them.
    dev_t dev = 0, out_dev = 0;
    ino_t ino = 0, out_ino = 0;
};

// fd_option: the --fd value, or -1. Clears LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES
// so they never reach a child. Exits 100 or 111 with a message on failure.
Endpoint find_endpoint(int fd_option);

// Sets TCP_NODELAY where the endpoint is a TCP socket (not an error elsewhere).
void set_nodelay(const Endpoint& e);

struct Address {
    std::string ip, port;  // empty when unknown
};

// The peer, from the ucspi variables (TCPREMOTEIP/TCP6REMOTEIP, TCPREMOTEPORT),
// systemd's REMOTE_ADDR/REMOTE_PORT, or getpeername.
Address remote_address(const Endpoint& e);
// Our side, from TCPLOCALIP/TCPLOCALPORT or getsockname.
Address local_address(const Endpoint& e);

bool is_socket(int fd);

} // namespace vws::sys
