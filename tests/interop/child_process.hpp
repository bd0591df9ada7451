#pragma once

// A program started by an interop test as a child process (an `erl` or
// `elixir` node, the rill peer executable): its arguments, the test's
// environment with some variables replaced (ERL_EPMD_PORT, the test's
// private epmd port), standard input from /dev/null, standard output and
// error into a file that `output` reads (printed when a test fails).
// `wait` blocks until the program exits and returns its exit status, so a
// test waits on events, never on time; the destructor kills a program
// still running.

#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace rill::test {

/// Whether `command` (a shell command line) runs and exits with status 0.
bool command_succeeds(const std::string& command);

class child_process {
public:
    /// Starts `program` (searched in PATH unless it holds a '/') with
    /// `args` as its argv[1...] and the environment of this process, each
    /// of `environment` (name, value) replacing or adding that variable.
    /// Throws `std::system_error` when it cannot be started.
    child_process(const std::string& program,
                  std::vector<std::string> args,
                  const std::vector<std::pair<std::string, std::string>>& environment);
    ~child_process();

    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// Blocks until the program exits; its exit status (128 + signal when
    /// killed).
    int wait();

    /// Sends `signal` to the program (SIGKILL, SIGSTOP, SIGCONT) while it
    /// runs.
    void signal(int signal);

    /// What the program printed so far.
    [[nodiscard]] std::string output() const;

private:
    std::string log_path_;
    pid_t child_ = -1;
    std::optional<int> status_;
};

} // namespace rill::test
