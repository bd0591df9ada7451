// A generic lambda cannot say which messages it accepts.

#include <rill/rill.hpp>

rill::task<> body() {
    co_await rill::process::receive_first([](const auto& message) { (void)message; });
}

int main() {
    rill::runtime rt;
    rt.run(body);
}
