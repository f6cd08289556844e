#include "sys/conn_io.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <signal.h>

#include "sys/log.hpp"
#include "vws/buffer.hpp"

namespace vws::sys {

ssize_t SocketIo::recv(void* buf, size_t size) { return ::recv(ep_.in, buf, size, MSG_DONTWAIT); }

ssize_t SocketIo::send(const void* buf, size_t size)
{
    const ssize_t n = ::send(ep_.out, buf, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) written_ += static_cast<uint64_t>(n);
    return n;
}

void SocketIo::shutdown_write() { ::shutdown(ep_.out, SHUT_WR); }

int SocketIo::poll_fds(pollfd* out, bool want_in, bool want_out)
{
    const short in = want_in ? POLLIN : 0, o = want_out ? POLLOUT : 0;
    if (ep_.in == ep_.out) {
        out[0] = {ep_.in, static_cast<short>(in | o), 0};
        return 1;
    }
    out[0] = {ep_.in, in, 0};
    out[1] = {ep_.out, o, 0};
    return 2;
}

namespace {

// The state the loop and the two threads share. Each thread holds a
// reference of its own: a thread still blocked in read() when the program
// is done keeps the state alive until the process ends.
class Shared : public std::enable_shared_from_this<Shared> {
public:
    explicit Shared(const Endpoint& ep) : ep_(ep), event_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

    void start_threads()
    {
        start([](Shared& s) { s.read_loop(); });
        start([](Shared& s) { s.write_loop(); });
    }

    ssize_t recv(void* buf, size_t size)
    {
        std::lock_guard lock(mu_);
        if (inbox_.empty()) {
            if (in_error_) {
                errno = in_error_;
                return -1;
            }
            if (in_eof_) return 0;
            errno = EAGAIN;
            return -1;
        }
        const size_t n = std::min(size, inbox_.size());
        std::memcpy(buf, inbox_.data(), n);
        inbox_.consume(n);
        changed_.notify_all();  // room for the reader
        return static_cast<ssize_t>(n);
    }

    ssize_t send(const void* buf, size_t size)
    {
        std::lock_guard lock(mu_);
        if (out_error_) {
            errno = out_error_;
            return -1;
        }
        const size_t room = outbox_.size() < box_size ? box_size - outbox_.size() : 0;
        if (room == 0) {
            errno = EAGAIN;
            return -1;
        }
        const size_t n = std::min(size, room);
        if (!outbox_.append(buf, n)) {
            errno = ENOMEM;
            return -1;
        }
        changed_.notify_all();
        return static_cast<ssize_t>(n);
    }

    void shutdown_write()
    {
        std::lock_guard lock(mu_);
        shut_ = true;
        changed_.notify_all();
    }

    uint64_t written()
    {
        std::lock_guard lock(mu_);
        return written_;
    }

    bool finish(int ms)
    {
        std::unique_lock lock(mu_);
        auto done = [&] { return out_error_ != 0 || (outbox_.empty() && !writing_); };
        return changed_.wait_for(lock, std::chrono::milliseconds(ms), done) && out_error_ == 0;
    }

    bool begin_turn()
    {
        // Reset before the turn's attempts: a change made after this keeps
        // the eventfd readable, so the wait that follows cannot miss it.
        uint64_t count;
        bool woken = false;
        while (read(event_, &count, sizeof count) > 0) woken = true;
        return woken;
    }

    // A socket reports the peer vanishing to poll even here; see ConnIo.
    int hangup_fd() const { return ep_.socket ? ep_.in : -1; }

    int poll_fds(pollfd* out, bool, bool)
    {
        // Any change the threads make wakes the loop; it then just retries.
        out[0] = {event_, POLLIN, 0};
        return 1;
    }

    static constexpr size_t box_size = 256 * 1024;
    static constexpr size_t thread_stack = 256 * 1024;  // read_loop keeps 64 KiB on it

    // A detached thread with a small stack of its own (the default is
    // RLIMIT_STACK, which softlimit -m sets to the whole memory limit) and
    // every signal blocked, so stop signals reach the loop's ppoll, never a
    // thread sitting in read().
    void start(void (*loop)(Shared&))
    {
        struct Arg {
            std::shared_ptr<Shared> self;
            void (*loop)(Shared&);
        };
        auto* arg = new Arg{shared_from_this(), loop};
        auto run = [](void* p) -> void* {
            std::unique_ptr<Arg> a(static_cast<Arg*>(p));
            a->loop(*a->self);
            return nullptr;
        };
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, thread_stack);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pthread_t t;
        const int err = pthread_create(&t, &attr, run, arg);
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        pthread_attr_destroy(&attr);
        if (err != 0) {
            delete arg;
            fatal(exit_code::system, "unable to start an I/O thread: %s", std::strerror(err));
        }
    }

    void wake()
    {
        const uint64_t one = 1;
        (void)!write(event_, &one, sizeof one);
    }

    void read_loop()
    {
        uint8_t buf[65536];
        for (;;) {
            {
                std::unique_lock lock(mu_);
                changed_.wait(lock, [&] { return inbox_.size() < box_size; });
            }
            const ssize_t n = read(ep_.in, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mu_);
            if (n > 0 && !inbox_.append(buf, static_cast<size_t>(n))) in_error_ = ENOMEM;
            else if (n == 0 || (n < 0 && errno == ECONNRESET)) in_eof_ = true;
            else if (n < 0) in_error_ = errno;
            wake();
            if (n <= 0 || in_error_) return;
        }
    }

    void write_loop()
    {
        ByteBuffer chunk;
        for (;;) {
            {
                std::unique_lock lock(mu_);
                changed_.wait(lock, [&] { return !outbox_.empty() || shut_; });
                if (outbox_.empty()) break;  // shut, and all written
                // Take the bytes by swapping buffers: no copy, and the loop
                // refills the (empty) one we give back.
                chunk.clear();
                chunk.swap(outbox_);
                writing_ = true;
            }
            wake();  // room in the outbox
            size_t done = 0;
            while (done < chunk.size()) {
                const ssize_t n = write(ep_.out, chunk.data() + done, chunk.size() - done);
                if (n < 0 && errno == EINTR) continue;
                std::lock_guard lock(mu_);
                if (n <= 0) {
                    out_error_ = n < 0 ? errno : EPIPE;
                    writing_ = false;
                    changed_.notify_all();
                    wake();
                    return;
                }
                done += static_cast<size_t>(n);
                written_ += static_cast<uint64_t>(n);
            }
            std::lock_guard lock(mu_);
            writing_ = false;
            changed_.notify_all();  // finish() waits for this
        }
        // A socket gets a half-close; a pipe of its own is closed.
        if (ep_.socket) ::shutdown(ep_.out, SHUT_WR);
        else if (ep_.out != ep_.in) close(ep_.out);
    }

    Endpoint ep_;
    int event_;
    std::mutex mu_;
    std::condition_variable changed_;
    ByteBuffer inbox_, outbox_;
    uint64_t written_ = 0;  // bytes the writer has written
    bool writing_ = false;  // the writer holds bytes not yet written
    bool in_eof_ = false, shut_ = false;
    int in_error_ = 0, out_error_ = 0;
};

class ThreadedIo : public ConnIo {
public:
    explicit ThreadedIo(const Endpoint& ep) : s_(std::make_shared<Shared>(ep)) { s_->start_threads(); }
    bool begin_turn() override { return s_->begin_turn(); }
    ssize_t recv(void* buf, size_t size) override { return s_->recv(buf, size); }
    ssize_t send(const void* buf, size_t size) override { return s_->send(buf, size); }
    uint64_t written() const override { return s_->written(); }
    bool finish(int ms) override { return s_->finish(ms); }
    void shutdown_write() override { s_->shutdown_write(); }
    int poll_fds(pollfd* out, bool in, bool o) override { return s_->poll_fds(out, in, o); }
    int hangup_fd() const override { return s_->hangup_fd(); }

private:
    std::shared_ptr<Shared> s_;
};

} // namespace

std::unique_ptr<ConnIo> open_conn_io(const Endpoint& ep, bool blocking)
{
    if (ep.socket && !blocking) return std::make_unique<SocketIo>(ep);
    return std::make_unique<ThreadedIo>(ep);
}

} // namespace vws::sys
