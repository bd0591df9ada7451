// An application's view of rill: built by the consumer tests against an
// installed rill (find_package, pkg-config) and against the source tree
// (add_subdirectory). Exit status 0 means rill worked.
#include <rill/rill.hpp>

#include <string>

// 1: run a process on a runtime; 0: only touch rill::atom.
#define RILL_CONSUMER_RUNS_PROCESS 0

#if RILL_CONSUMER_RUNS_PROCESS
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
#else
int main() {
    return rill::atom("ok").name() == "ok" ? 0 : 1;
}
#endif
