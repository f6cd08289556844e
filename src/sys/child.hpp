// A child program with its stdin and stdout on pipes, in its own process
// group, watched through a pidfd. Always reaped: the destructor kills the
// group and waits if nobody did.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vws::sys {

struct ChildSpec {
    std::vector<std::string> argv;   // argv[0] is looked up in PATH
    std::vector<std::string> env;    // NAME=VALUE
    std::vector<int> close_fds;      // descriptors the child must not inherit (the connection)
    bool stderr_to_null = false;     // fd 2 is the connection (classic inetd)
};

class Child {
public:
    Child() = default;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();

    // Starts the program; returns 0 or an errno value.
    int spawn(const ChildSpec& spec);

    pid_t pid() const { return pid_; }
    int stdin_fd() const { return stdin_; }    // ours to write, O_NONBLOCK
    int stdout_fd() const { return stdout_; }  // ours to read, O_NONBLOCK
    int pidfd() const { return pidfd_; }       // readable once the child exits; -1 if unsupported
    void close_stdin();
    void close_stdout();

    // Signals the whole process group (the program and whatever it started).
    void signal_group(int sig) const;
    // True while any process of the group is alive.
    bool group_alive() const;
    // Reaps without blocking; true once the child has exited.
    bool reap();
    bool exited() const { return exited_; }
    int wait_status() const { return status_; }  // as from waitpid
    // "exit=0", "exit=3", "signal=9"
    std::string status_text() const;
    int exit_status() const;  // -1 unless it exited normally
    int term_signal() const;  // -1 unless a signal ended it
    bool succeeded() const;

private:
    pid_t pid_ = -1;
    int stdin_ = -1, stdout_ = -1, pidfd_ = -1;
    bool exited_ = false;
    mutable bool group_gone_ = false;  // kill(-pid, 0) said ESRCH
    int status_ = 0;
};

} // namespace vws::sys
