#include "interop/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <string_view>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char** environ; // NOLINT: POSIX

namespace rill::test {

bool command_succeeds(const std::string& command) {
    return std::system(command.c_str()) == 0; // NOLINT(concurrency-mt-unsafe)
}

child_process::child_process(const std::string& program,
                             std::vector<std::string> args,
                             const std::vector<std::pair<std::string, std::string>>& environment) {
    char log_template[] = "/tmp/rill-child-XXXXXX";
    const int log_fd = ::mkstemp(log_template);
    if (log_fd < 0) {
        throw std::system_error(errno, std::generic_category(), "child_process: mkstemp");
    }
    log_path_ = log_template;

    args.insert(args.begin(), program);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        bool replaced = false;
        for (const auto& [name, value] : environment) {
            replaced = replaced || entry.starts_with(name + "=");
        }
        if (!replaced) {
            env_strings.emplace_back(entry);
        }
    }
    for (const auto& [name, value] : environment) {
        env_strings.push_back(name + "=" + value);
    }

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
    const int error =
        ::posix_spawnp(&child_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(log_fd);
    if (error != 0) {
        ::unlink(log_path_.c_str());
        throw std::system_error(
            error, std::generic_category(), "child_process: spawning " + program);
    }
}

child_process::~child_process() {
    if (!status_ && child_ > 0) {
        ::kill(child_, SIGKILL);
        wait();
    }
    ::unlink(log_path_.c_str());
}

int child_process::wait() {
    if (status_) {
        return *status_;
    }
    int raw = 0;
    while (::waitpid(child_, &raw, 0) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "child_process: waitpid");
        }
    }
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    return *status_;
}

void child_process::signal(int sig) {
    if (!status_) {
        ::kill(child_, sig);
    }
}

std::string child_process::output() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace rill::test
