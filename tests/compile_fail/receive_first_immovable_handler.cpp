// A message is moved out of the mailbox: an immovable type is never received.

#include <rill/rill.hpp>

struct immovable {
    immovable() = default;
    immovable(immovable&&) = delete;
};

rill::task<> body() {
    co_await rill::process::receive_first([](const immovable& value) { (void)value; });
}

int main() {
    rill::runtime rt;
    rt.run(body);
}
