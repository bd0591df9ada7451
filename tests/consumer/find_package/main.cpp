// An application's view of rill: built by the consumer tests against an
// installed rill (find_package, pkg-config) and against the source tree
// (add_subdirectory). Exit status 0 means rill worked: a process ran on a
// runtime, messaged itself, and ended normally.
#include <rill/rill.hpp>

#include <string>

namespace {

rill::task<> root() {
    rill::process::send(rill::process::self(), std::string("hello"));
    std::string greeting = co_await rill::process::receive_exact<std::string>();
    if (greeting != "hello") {
        rill::process::exit(rill::term{rill::atom("wrong_message")});
    }
}

} // namespace

int main() {
    rill::runtime rt;
    rill::term reason = rt.run(root);
    return reason == rill::term{rill::atom("normal")} ? 0 : 1;
}
