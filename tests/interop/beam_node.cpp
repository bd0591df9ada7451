#include "interop/beam_node.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char** environ; // NOLINT: POSIX

namespace rill::test {

bool erl_available() {
    return std::system("erl -version >/dev/null 2>&1") == 0; // NOLINT(concurrency-mt-unsafe)
}

beam_node::beam_node(std::string name,
                     std::string cookie,
                     std::uint16_t epmd_port,
                     std::string expression,
                     std::vector<std::string> extra)
    : name_(std::move(name)) {
    char log_template[] = "/tmp/rill-beam-XXXXXX";
    const int log_fd = ::mkstemp(log_template);
    if (log_fd < 0) {
        throw std::system_error(errno, std::generic_category(), "beam_node: mkstemp");
    }
    log_path_ = log_template;

    std::vector<std::string> args = {"erl",
                                     "-sname",
                                     name_ + "@localhost",
                                     "-setcookie",
                                     cookie,
                                     "-hidden",
                                     "-noshell",
                                     "-kernel",
                                     "inet_dist_use_interface",
                                     "{127,0,0,1}"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.emplace_back("-eval");
    args.push_back(std::move(expression));

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::string_view(*e).starts_with("ERL_EPMD_PORT=")) {
            continue;
        }
        env_strings.emplace_back(*e);
    }
    env_strings.push_back("ERL_EPMD_PORT=" + std::to_string(epmd_port));

    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : env_strings) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, log_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    const int error = ::posix_spawnp(&child_, "erl", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(log_fd);
    if (error != 0) {
        throw std::system_error(error, std::generic_category(), "beam_node: spawning erl");
    }
}

beam_node::~beam_node() {
    if (!status_ && child_ > 0) {
        ::kill(child_, SIGKILL);
        wait();
    }
    ::unlink(log_path_.c_str());
}

int beam_node::wait() {
    if (status_) {
        return *status_;
    }
    int raw = 0;
    while (::waitpid(child_, &raw, 0) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "beam_node: waitpid");
        }
    }
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    return *status_;
}

void beam_node::signal(int sig) {
    if (!status_) {
        ::kill(child_, sig);
    }
}

std::string beam_node::output() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace rill::test
