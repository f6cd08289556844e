// Non-blocking access to the connection's descriptors, for a poll loop that
// also watches other things (the bridge). Two ways to get it:
//  - SocketIo: recv/send with MSG_DONTWAIT, so no file status flag of an
//    inherited, possibly shared, descriptor is ever changed;
//  - ThreadedIo (blocking fallback): one thread blocks in read(), one in
//    write(), and the loop talks to them through bounded buffers and an
//    eventfd it polls. For pipes, files and anything that cannot be polled.
// Both follow the syscalls' contract: n > 0 bytes, 0 EOF, -1 with errno
// (EAGAIN when it would block). send() takes the bytes over (the fallback
// queues them for its writer); written() counts only what reached the
// descriptor, and finish() waits for the rest before the program exits.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <memory>

#include "sys/endpoint.hpp"

namespace vws::sys {

class ConnIo {
public:
    virtual ~ConnIo() = default;
    // Called at the start of each loop turn, before any recv or send; true
    // when something may have arrived since the last turn that poll would
    // not show again (the threaded fallback's wake-ups).
    virtual bool begin_turn() { return false; }
    virtual ssize_t recv(void* buf, size_t size) = 0;
    virtual ssize_t send(const void* buf, size_t size) = 0;
    // Bytes written to the descriptor so far.
    virtual uint64_t written() const = 0;
    // Waits up to ms for every byte taken by send() to be written (or the
    // write to fail); true when nothing is left. Sockets have nothing to wait
    // for: the kernel holds what send() took.
    virtual bool finish(int ms) { (void)ms; return true; }
    // No more sends: the peer sees EOF once everything sent is written.
    virtual void shutdown_write() = 0;
    // Fills up to two poll entries for the wanted directions; returns how many.
    virtual int poll_fds(pollfd* out, bool want_in, bool want_out) = 0;
    // The descriptor to watch for the peer vanishing (POLLHUP, POLLERR) while we
    // are not reading it, or -1. Only sockets: on a pipe POLLHUP just means the
    // writer is done, and what it wrote last (a Close) may still be unread.
    virtual int hangup_fd() const = 0;
    // A socket the caller may read with a blocking recv() and a receive
    // timeout when the peer's next bytes are all it waits for, or -1.
    virtual int blocking_read_fd() const { return -1; }
};

class SocketIo : public ConnIo {
public:
    explicit SocketIo(const Endpoint& ep) : ep_(ep) {}
    ssize_t recv(void* buf, size_t size) override;
    ssize_t send(const void* buf, size_t size) override;
    uint64_t written() const override { return written_; }
    void shutdown_write() override;
    int poll_fds(pollfd* out, bool want_in, bool want_out) override;
    int hangup_fd() const override { return ep_.in; }
    int blocking_read_fd() const override { return ep_.in; }

private:
    Endpoint ep_;
    uint64_t written_ = 0;
};

// SocketIo for sockets; the threaded fallback for anything else or when
// `blocking`. Its threads live as long as the process (a thread blocked in
// read() cannot be stopped) and keep what they share alive on their own.
std::unique_ptr<ConnIo> open_conn_io(const Endpoint& ep, bool blocking);

} // namespace vws::sys
