// receive_first with no handler cannot match anything.

#include <rill/rill.hpp>

rill::task<> body() {
    co_await rill::process::receive_first();
}

int main() {
    rill::runtime rt;
    rt.run(body);
}
