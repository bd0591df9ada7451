// A handler takes exactly one parameter: the message.

#include <rill/rill.hpp>

rill::task<> body() {
    co_await rill::process::receive_first([](int a, int b) { (void)a, (void)b; });
}

int main() {
    rill::runtime rt;
    rt.run(body);
}
