// One receive_first returns one type: the handlers' results need a common type.

#include <rill/rill.hpp>

#include <string>

rill::task<> body() {
    co_await rill::process::receive_first([](int n) { return n; },
                                          [](double) { return std::string("x"); });
}

int main() {
    rill::runtime rt;
    rt.run(body);
}
