// ConnIo on real descriptors: the threaded fallback on pipes counts only the
// bytes its writer has written, finish() waits for a slow reader, and a pipe
// is never watched for a hang-up (POLLHUP there only means the writer is done).
// SocketIo on a socketpair counts what send() wrote.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sys/conn_io.hpp"

using namespace vws::sys;

namespace {

struct Pipes {
    int in[2], out[2];
    Pipes()
    {
        REQUIRE(pipe2(in, O_CLOEXEC) == 0);
        REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    }
    Endpoint endpoint() const
    {
        Endpoint ep;
        ep.in = in[0];
        ep.out = out[1];
        return ep;
    }
};

// Sends all of data through io, waiting on its poll descriptor when it is full.
void send_all(ConnIo& io, const std::string& data)
{
    size_t done = 0;
    while (done < data.size()) {
        io.begin_turn();
        const ssize_t n = io.send(data.data() + done, data.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
            continue;
        }
        REQUIRE(errno == EAGAIN);
        pollfd p[2];
        const int np = io.poll_fds(p, false, true);
        poll(p, static_cast<nfds_t>(np), 1000);
    }
}

size_t read_all(int fd)
{
    size_t total = 0;
    char buf[65536];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return total;
        total += static_cast<size_t>(n);
    }
}

} // namespace

TEST_CASE("threaded fallback: written() counts bytes written, not queued; finish() waits for the reader")
{
    Pipes p;
    auto io = open_conn_io(p.endpoint(), false);
    const std::string data(1 << 20, 'x');
    // The pipe holds 64 KiB and nobody reads yet: most of the data is only queued.
    std::thread sender([&] { send_all(*io, data); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(io->written() <= 65536);
    CHECK_FALSE(io->finish(50));  // a reader that sleeps: not done yet
    size_t got = 0;
    std::thread reader([&] { got = read_all(p.out[0]); });
    sender.join();
    io->shutdown_write();
    CHECK(io->finish(5000));
    CHECK(io->written() == data.size());
    reader.join();  // the writer closed its end once everything was written
    CHECK(got == data.size());
    close(p.in[1]);
    close(p.out[0]);
}

TEST_CASE("threaded fallback: finish() gives up at its bound when nobody ever reads")
{
    Pipes p;
    auto io = open_conn_io(p.endpoint(), false);
    send_all(*io, std::string(128 << 10, 'y'));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(io->finish(100));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    CHECK(io->written() < (128u << 10));
    close(p.out[0]);  // the writer fails with EPIPE and ends
    close(p.in[1]);
}

TEST_CASE("threaded fallback: a pipe is not watched for a hang-up; its EOF comes after its data")
{
    Pipes p;
    auto io = open_conn_io(p.endpoint(), false);
    CHECK(io->hangup_fd() == -1);
    REQUIRE(write(p.in[1], "close", 5) == 5);
    close(p.in[1]);  // POLLHUP on the pipe from now on, with "close" still unread
    char buf[16];
    std::string got;
    for (int i = 0; i < 200; ++i) {
        io->begin_turn();
        const ssize_t n = io->recv(buf, sizeof buf);
        if (n == 0) break;
        if (n > 0) got.append(buf, static_cast<size_t>(n));
        else std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(got == "close");
    close(p.out[0]);
}

TEST_CASE("socket: written() counts what send() wrote; the hang-up is watched")
{
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    Endpoint ep;
    ep.in = ep.out = sv[0];
    ep.socket = true;
    auto io = open_conn_io(ep, false);
    CHECK(io->hangup_fd() == sv[0]);
    CHECK(io->send("hello", 5) == 5);
    CHECK(io->written() == 5);
    CHECK(io->finish(0));
    close(sv[0]);
    close(sv[1]);
}
