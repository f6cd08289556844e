#include "sys/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace vws::sys {

namespace {

void close_fd(int& fd)
{
    if (fd >= 0) close(fd);
    fd = -1;
}

// RAII for the spawn attribute objects.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    SpawnSetup() { posix_spawn_file_actions_init(&actions); posix_spawnattr_init(&attr); }
    ~SpawnSetup() { posix_spawn_file_actions_destroy(&actions); posix_spawnattr_destroy(&attr); }
};

} // namespace

int Child::spawn(const ChildSpec& spec)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) return errno;
    if (pipe2(out, O_CLOEXEC) != 0) {
        const int err = errno;
        close(in[0]);
        close(in[1]);
        return err;
    }
    SpawnSetup s;
    posix_spawn_file_actions_adddup2(&s.actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&s.actions, out[1], 1);
    if (spec.stderr_to_null) posix_spawn_file_actions_addopen(&s.actions, 2, "/dev/null", O_WRONLY, 0);
    for (int fd : spec.close_fds)
        if (fd > 2) posix_spawn_file_actions_addclose(&s.actions, fd);
    // Its own process group, so signals reach whatever it starts; default
    // dispositions and an empty mask (we ignore SIGPIPE and block stop
    // signals, and exec would pass both on).
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGTERM, SIGHUP, SIGINT, SIGALRM}) sigaddset(&defaults, sig);
    posix_spawnattr_setpgroup(&s.attr, 0);
    posix_spawnattr_setsigmask(&s.attr, &none);
    posix_spawnattr_setsigdefault(&s.attr, &defaults);
    posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv, envp;
    for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    const int err = posix_spawnp(&pid_, argv[0], &s.actions, &s.attr, argv.data(), envp.data());
    close(in[0]);
    close(out[1]);
    if (err != 0) {
        close(in[1]);
        close(out[0]);
        pid_ = -1;
        return err;
    }
    stdin_ = in[1];
    stdout_ = out[0];
    // Our own pipe ends: no one shares them, so non-blocking is safe here.
    fcntl(stdin_, F_SETFL, O_NONBLOCK);
    fcntl(stdout_, F_SETFL, O_NONBLOCK);
    // glibc 2.36's <sys/pidfd.h> lacks C linkage for C++; the syscall is plain.
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    // Without pidfds (Linux < 5.3, some sandboxes, valgrind) the caller polls
    // waitpid on a short tick instead.
    if (pidfd_ < 0) pidfd_ = -1;
    return 0;
}

Child::~Child()
{
    close_stdin();
    close_stdout();
    if (pid_ > 0 && !exited_) {
        signal_group(SIGKILL);
        while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {}
        exited_ = true;
    }
    if (pid_ > 0 && group_alive()) signal_group(SIGKILL);
    close_fd(pidfd_);
}

void Child::close_stdin() { close_fd(stdin_); }
void Child::close_stdout() { close_fd(stdout_); }

void Child::signal_group(int sig) const
{
    if (pid_ > 0) kill(-pid_, sig);
}

bool Child::group_alive() const { return pid_ > 0 && kill(-pid_, 0) == 0; }

bool Child::reap()
{
    if (exited_ || pid_ <= 0) return exited_;
    pid_t r;
    do r = waitpid(pid_, &status_, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == pid_) exited_ = true;
    return exited_;
}

std::string Child::status_text() const
{
    if (!exited_) return "running";
    if (WIFEXITED(status_)) return "exit=" + std::to_string(WEXITSTATUS(status_));
    if (WIFSIGNALED(status_)) return "signal=" + std::to_string(WTERMSIG(status_));
    return "status=" + std::to_string(status_);
}

int Child::exit_status() const { return exited_ && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }

int Child::term_signal() const { return exited_ && WIFSIGNALED(status_) ? WTERMSIG(status_) : -1; }

bool Child::succeeded() const { return exited_ && WIFEXITED(status_) && WEXITSTATUS(status_) == 0; }

} // namespace vws::sys
