#include "sys/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vws::sys {

namespace {

void close_fd(int& fd)
{
    if (fd >= 0) close(fd);
    fd = -1;
}

// Everything the child needs between vfork and exec, built beforehand: it
// may only make system calls (it shares our memory and our thread's stack).
struct ExecPlan {
    char* const* argv;
    char* const* envp;
    const char* path;  // PATH, for a program name without a slash
    char* full;        // room for the longest PATH entry, '/' and the name
    int stdin_fd, stdout_fd;
    const int* close_fds;
    size_t n_close;
    bool stderr_to_null;
    volatile int error = 0;  // set by the child when it cannot exec
};

void move_fd(int from, int to)
{
    // dup2 onto itself keeps close-on-exec: clear it instead.
    if (from == to) fcntl(to, F_SETFD, 0);
    else dup2(from, to);
}

// execvp's search, over the PATH we read before the vfork: the first that
// runs wins; EACCES is remembered and reported if nothing runs.
void exec_search(ExecPlan& p)
{
    const char* name = p.argv[0];
    if (std::strchr(name, '/')) {
        execve(name, p.argv, p.envp);
        p.error = errno;
        return;
    }
    const size_t name_len = std::strlen(name);
    char* full = p.full;
    bool denied = false;
    for (const char* dir = p.path;; ++dir) {
        const char* end = std::strchr(dir, ':');
        const size_t len = end ? static_cast<size_t>(end - dir) : std::strlen(dir);
        std::memcpy(full, dir, len);
        size_t at = len;
        if (len > 0) full[at++] = '/';  // an empty entry is the current directory
        std::memcpy(full + at, name, name_len + 1);
        execve(full, p.argv, p.envp);
        if (errno == EACCES) denied = true;
        else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENAMETOOLONG) break;
        if (!end) {
            errno = denied ? EACCES : ENOENT;
            break;
        }
        dir = end;
    }
    p.error = errno;
}

[[noreturn]] void run_child(ExecPlan& p)
{
    // Default dispositions for what we changed (exec keeps an ignored
    // SIGPIPE, and our handlers must never run here: they would write into
    // the parent's memory), then the empty mask. Only these: resetting every
    // signal, as posix_spawn does, costs over a hundred sigaction calls.
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGTERM, SIGHUP, SIGINT, SIGALRM}) sigaction(sig, &dfl, nullptr);
    // Its own process group, so signals reach whatever it starts.
    setpgid(0, 0);
    move_fd(p.stdin_fd, 0);
    move_fd(p.stdout_fd, 1);
    if (p.stderr_to_null) {
        const int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0 && fd != 2) {
            dup2(fd, 2);
            close(fd);
        }
    }
    for (size_t i = 0; i < p.n_close; ++i)
        if (p.close_fds[i] > 2) close(p.close_fds[i]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    exec_search(p);
    _exit(127);
}

// vfork: the child borrows our memory until it execs, so it costs no page
// copies; every signal is blocked meanwhile, as posix_spawn does. Returns
// the pid, or -1 with errno.
pid_t start(ExecPlan& p)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    const pid_t pid = vfork();
    if (pid == 0) run_child(p);
    const int err = errno;
    sigprocmask(SIG_SETMASK, &old, nullptr);
    errno = err;
    return pid;
}

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
    std::vector<char*> argv, envp;
    for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    // posix_spawnp's default when PATH is unset (confstr _CS_PATH).
    const char* env_path = std::getenv("PATH");
    const char* path = env_path ? env_path : "/bin:/usr/bin";
    std::vector<char> full(std::strlen(path) + spec.argv[0].size() + 2);
    ExecPlan plan{argv.data(), envp.data(), path, full.data(), in[0], out[1],
                  spec.close_fds.data(), spec.close_fds.size(), spec.stderr_to_null};

    pid_ = start(plan);
    int err = pid_ < 0 ? errno : plan.error;
    close(in[0]);
    close(out[1]);
    if (err != 0) {
        // The child could not exec: it has exited already.
        if (pid_ > 0)
            while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
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
    if (pid_ > 0 && !group_gone_) kill(-pid_, sig);
}

bool Child::group_alive() const
{
    // Once the group is gone it stays gone (and its number may be reused):
    // ask the kernel only until then.
    if (pid_ <= 0 || group_gone_) return false;
    group_gone_ = kill(-pid_, 0) != 0;
    return !group_gone_;
}

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
