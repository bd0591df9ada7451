// Text is received as std::string: a view would point into a freed message.

#include <rill/rill.hpp>

#include <string_view>

rill::task<> body() {
    co_await rill::process::receive_first([](std::string_view text) { (void)text; });
}

int main() {
    rill::runtime rt;
    rt.run(body);
}
