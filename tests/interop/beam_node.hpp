#pragma once

// A real Erlang node for interop tests: `erl` started as a child process
// with a short name, a cookie, the test's private epmd port
// (ERL_EPMD_PORT) and distribution on loopback, running one expression
// (`-eval`), as a `child_process`: its output goes to a file, printed when
// a test fails; `wait` returns its exit status (the expression ends with
// `halt(Status)`), so a test waits on events, never on time; the
// destructor kills a node still running.

#include "interop/child_process.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rill::test {

/// Whether `erl` can be run here (the interop tests skip otherwise).
bool erl_available();

class beam_node {
public:
    /// Starts `erl -sname <name> -setcookie <cookie> -hidden -noshell
    /// -eval <expression>` with ERL_EPMD_PORT=<epmd_port>; `extra` adds
    /// arguments (a `-pa` path, `-kernel net_ticktime 4`, ...).
    beam_node(std::string name,
              std::string cookie,
              std::uint16_t epmd_port,
              std::string expression,
              std::vector<std::string> extra = {});

    /// Blocks until the node exits; its exit status (128 + signal when
    /// killed).
    int wait() { return process_.wait(); }

    /// Sends `signal` to the node (SIGKILL, SIGSTOP, SIGCONT).
    void signal(int signal) { process_.signal(signal); }

    /// What the node printed so far.
    [[nodiscard]] std::string output() const { return process_.output(); }

    [[nodiscard]] const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
    child_process process_;
};

} // namespace rill::test
