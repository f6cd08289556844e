// One thread of the load client: an edge-triggered epoll loop over many
// connections, each a small state machine around the client role of the core
// (vws::Connection) or, in raw mode, around a plain TCP echo stream.
//
// Life of a connection:
//   connecting -> upgrading (ws) -> open -> closing (ws: our Close sent,
//   waiting for the server's) -> draining (waiting for the server's FIN)
//   -> done.
// In raw mode "closing" is a shutdown(SHUT_WR) and straight to draining.
// Every echoed message is compared byte for byte with what was sent
// (Pattern); echoes come back in order, so message k of a connection is
// pattern message k, and its send time sits in a ring of `inflight` stamps.
#pragma once

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>

#include "bench/util.hpp"

namespace vws::bench {

enum class Workload : uint8_t { handshake, echo, idle };

struct Config {
    Target target;
    Workload workload = Workload::echo;
    size_t connections = 1;
    size_t inflight = 1;
    size_t size = 64;
    bool text = true;
    size_t ramp = 64;            // connections being set up at once (idle)
};

extern std::atomic<bool> g_stop;  // SIGTERM/SIGINT: end what is under way

class Worker {
public:
    Worker(const Config& cfg, const Pattern& pattern, size_t connections)
        : cfg_(cfg), pattern_(pattern), conns_(connections)
    {
        ep_ = epoll_create1(EPOLL_CLOEXEC);
        for (auto& c : conns_) c.stamps.resize(std::max<size_t>(cfg.inflight, 1));
    }
    ~Worker()
    {
        for (auto& c : conns_)
            if (c.fd >= 0) ::close(c.fd);
        if (ep_ >= 0) ::close(ep_);
    }

    // echo and idle: connect and upgrade every connection (idle: also one
    // echoed probe message each, so the server side has really started).
    bool establish(uint64_t deadline)
    {
        size_t started = 0;
        while (ready_ < conns_.size() && tally.errors == 0) {
            while (started < conns_.size() && started - ready_ < cfg_.ramp) start(conns_[started++]);
            if (now_ns() > deadline || g_stop) {
                tally.error("timed out setting up connections");
                break;
            }
            poll(10);
        }
        return tally.errors == 0;
    }

    // Measures from window_start to window_end; sends nothing new after it
    // and returns when everything in flight has come back.
    void run(uint64_t window_start, uint64_t window_end, uint64_t deadline)
    {
        window_start_ = window_start;
        window_end_ = window_end;
        running_ = true;
        for (auto& c : conns_) {
            if (cfg_.workload == Workload::handshake) {
                start(c);
            } else {
                queue(c, cfg_.inflight);
                flush(c);
            }
        }
        while (!g_stop && now_ns() < deadline) {
            if (now_ns() >= window_end_) {
                running_ = false;
                if (busy() == 0) return;
            }
            poll(5);
        }
        tally.error(g_stop ? "stopped by signal" : "timed out waiting for echoes");
    }

    // idle: keeps the connections open (a server that closes one is an error).
    void hold(uint64_t until)
    {
        while (!g_stop && now_ns() < until) poll(100);
    }

    // Closes every open connection cleanly and waits for the server's FIN.
    void teardown(uint64_t deadline)
    {
        running_ = false;
        for (auto& c : conns_) {
            if (c.phase != Phase::open) continue;
            begin_close(c);
            flush(c);
        }
        while (busy() > 0 && now_ns() < deadline) poll(10);
        if (busy() > 0) tally.error("timed out closing connections");
    }

    Tally tally;

private:
    enum class Phase : uint8_t { none, connecting, upgrading, open, closing, draining };

    struct Conn {
        int fd = -1;
        Phase phase = Phase::none;
        std::unique_ptr<Connection> ws;
        uint64_t t_start = 0;
        uint64_t queued = 0;     // messages sent (or queued to send)
        uint64_t written = 0;    // raw: messages fully written
        uint64_t received = 0;   // messages echoed back and checked
        size_t send_off = 0;     // raw: bytes of message `written` already written
        size_t recv_off = 0;     // raw: bytes of message `received` already read
        bool probed = false;
        std::vector<uint64_t> stamps;
    };

    size_t busy() const
    {
        size_t n = 0;
        for (const auto& c : conns_)
            if (c.phase != Phase::none && (c.phase != Phase::open || c.received < c.queued)) ++n;
        return n;
    }

    void fail(Conn& c, const std::string& what, bool verify = false)
    {
        tally.error(what, verify);
        drop(c);
    }
    void drop(Conn& c)
    {
        if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
        c.fd = -1;
        c.phase = Phase::none;
        c.ws.reset();
    }

    void start(Conn& c)
    {
        c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) return fail(c, std::string("socket: ") + std::strerror(errno));
        const int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c.queued = c.written = c.received = 0;
        c.send_off = c.recv_off = 0;
        c.probed = false;
        c.t_start = now_ns();
        if (connect(c.fd, reinterpret_cast<const sockaddr*>(&cfg_.target.addr), sizeof cfg_.target.addr) != 0 &&
            errno != EINPROGRESS)
            return fail(c, std::string("connect: ") + std::strerror(errno));
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
        epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
        if (cfg_.target.mode == Mode::ws) {
            ClientRequest req;
            req.host = cfg_.target.host;
            req.target = cfg_.target.path;
            req.key = random_.websocket_key();
            c.ws = std::make_unique<Connection>(Limits{}, std::move(req), random_);
        }
        c.phase = Phase::connecting;
    }

    void poll(int timeout_ms)
    {
        epoll_event evs[256];
        const int n = epoll_wait(ep_, evs, 256, timeout_ms);
        for (int i = 0; i < n; ++i) {
            Conn& c = conns_[evs[i].data.u64];
            if (c.phase == Phase::none) continue;
            if (c.phase == Phase::connecting) connected(c);
            if (c.phase != Phase::none && (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
                read_all(c);
            if (c.phase != Phase::none) flush(c);
        }
    }

    void connected(Conn& c)
    {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return fail(c, std::string("connect: ") + std::strerror(err));
        if (cfg_.target.mode == Mode::ws) {
            c.phase = Phase::upgrading;  // the request is queued in the core
        } else {
            opened(c);
        }
    }

    // Upgraded (ws) or connected (raw).
    void opened(Conn& c)
    {
        c.phase = Phase::open;
        const bool raw = cfg_.target.mode == Mode::raw;
        if (cfg_.workload == Workload::handshake && !raw) return begin_close(c);
        // Raw handshakes and idle connections prove the server side runs with one echo.
        if (cfg_.workload == Workload::handshake || cfg_.workload == Workload::idle) return queue(c, 1);
        ++ready_;
    }

    void begin_close(Conn& c)
    {
        if (c.ws) {
            c.ws->close(close_code::normal);
            c.phase = Phase::closing;
        } else {
            shutdown(c.fd, SHUT_WR);
            c.phase = Phase::draining;
        }
    }

    void queue(Conn& c, size_t n)
    {
        for (size_t i = 0; i < n; ++i) {
            c.stamps[c.queued % c.stamps.size()] = now_ns();
            if (c.ws)
                c.ws->send_message(cfg_.text ? Opcode::text : Opcode::binary, pattern_.message(c.queued), cfg_.size);
            ++c.queued;
        }
    }

    void flush(Conn& c)
    {
        if (c.phase == Phase::connecting) return;
        if (c.ws) {
            while (c.ws->output_size() > 0) {
                const auto out = c.ws->output();
                const ssize_t n = send(c.fd, out.data(), out.size(), MSG_NOSIGNAL);
                if (n < 0) {
                    if (errno == EAGAIN || errno == EINTR) return;
                    return fail(c, std::string("send: ") + std::strerror(errno));
                }
                c.ws->sent(static_cast<size_t>(n));
            }
            return;
        }
        while (c.written < c.queued) {
            iovec iov[16];
            int k = 0;
            for (uint64_t m = c.written; m < c.queued && k < 16; ++m, ++k) {
                const size_t off = m == c.written ? c.send_off : 0;
                iov[k].iov_base = const_cast<uint8_t*>(pattern_.message(m) + off);
                iov[k].iov_len = cfg_.size - off;
            }
            ssize_t n = writev(c.fd, iov, k);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) return;
                return fail(c, std::string("writev: ") + std::strerror(errno));
            }
            while (n > 0) {
                const size_t take = std::min<size_t>(static_cast<size_t>(n), cfg_.size - c.send_off);
                c.send_off += take;
                n -= static_cast<ssize_t>(take);
                if (c.send_off == cfg_.size) {
                    c.send_off = 0;
                    ++c.written;
                }
            }
        }
    }

    void read_all(Conn& c)
    {
        static thread_local uint8_t scratch[64 * 1024];
        while (c.phase != Phase::none) {
            std::span<uint8_t> space(scratch, sizeof scratch);
            const bool core = c.ws && c.phase != Phase::draining;
            if (core) space = c.ws->input_space();
            if (space.empty()) {  // the core has ended: only the FIN is left
                c.phase = Phase::draining;
                continue;
            }
            const ssize_t n = recv(c.fd, space.data(), space.size(), 0);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) return;
                return fail(c, std::string("recv: ") + std::strerror(errno));
            }
            if (n == 0) return end_of_stream(c);
            if (c.phase == Phase::draining) return fail(c, "bytes after the close");
            if (core) {
                c.ws->received(static_cast<size_t>(n));
                events(c);
            } else {
                raw_bytes(c, scratch, static_cast<size_t>(n));
            }
        }
    }

    void end_of_stream(Conn& c)
    {
        if (c.phase != Phase::draining) return fail(c, "the server closed the connection early");
        if (cfg_.workload == Workload::handshake) count(c.t_start);
        drop(c);
        if (cfg_.workload == Workload::handshake && running_) start(c);
    }

    void events(Conn& c)
    {
        for (;;) {
            const Event e = c.ws->next_event();
            switch (e.type) {
            case EventType::none: return;
            case EventType::upgraded: opened(c); break;
            case EventType::text:
            case EventType::binary:
                if ((e.type == EventType::text) != cfg_.text) return fail(c, "echo of another message type", true);
                if (e.size != cfg_.size) return fail(c, "echo of another size: " + std::to_string(e.size), true);
                if (!echoed(c, e.data, e.size)) return;
                break;
            case EventType::close:
                if (c.phase != Phase::closing) return fail(c, "the server closed first, code " + std::to_string(e.code));
                c.phase = Phase::draining;
                break;
            case EventType::failed:
                return fail(c, std::string("protocol: ") + fault_name(e.fault) + " (HTTP " +
                                   std::to_string(c.ws->http_status()) + ")");
            default: break;
            }
        }
    }

    void raw_bytes(Conn& c, const uint8_t* p, size_t n)
    {
        while (n > 0) {
            if (c.received >= c.queued) return fail(c, "bytes nobody sent", true);
            const size_t take = std::min(n, cfg_.size - c.recv_off);
            if (std::memcmp(p, pattern_.message(c.received) + c.recv_off, take) != 0)
                return fail(c, "echoed bytes differ", true);
            c.recv_off += take;
            p += take;
            n -= take;
            if (c.recv_off == cfg_.size) {
                c.recv_off = 0;
                if (!echoed(c, nullptr, cfg_.size)) return;
            }
        }
    }

    // One whole message came back (data: to check; nullptr: already checked).
    bool echoed(Conn& c, const uint8_t* data, size_t size)
    {
        if (c.received >= c.queued) {
            fail(c, "a message nobody sent", true);
            return false;
        }
        if (data && std::memcmp(data, pattern_.message(c.received), size) != 0) {
            fail(c, "echoed bytes differ", true);
            return false;
        }
        const uint64_t sent_at = c.stamps[c.received % c.stamps.size()];
        ++c.received;
        if (cfg_.workload == Workload::echo) {
            if (count(sent_at)) tally.bytes += size;
            if (running_) queue(c, 1);
        } else if (!c.probed) {
            c.probed = true;
            if (cfg_.workload == Workload::handshake) begin_close(c);
            else ++ready_;
        }
        return true;
    }

    // Counts an operation that began at t_start if it ends inside the window.
    bool count(uint64_t t_start)
    {
        const uint64_t t = now_ns();
        if (!running_ || t < window_start_ || t >= window_end_) return false;
        ++tally.ops;
        tally.latency_ns.push_back(static_cast<uint32_t>(std::min<uint64_t>(t - t_start, UINT32_MAX)));
        return true;
    }

    const Config& cfg_;
    const Pattern& pattern_;
    std::vector<Conn> conns_;
    Random random_;
    int ep_ = -1;
    size_t ready_ = 0;
    bool running_ = false;
    uint64_t window_start_ = 0;
    uint64_t window_end_ = 0;
};

} // namespace vws::bench
