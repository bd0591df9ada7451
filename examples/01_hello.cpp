// 01 — hello: spawn a process, send it a message, get an answer.
//
// A process is a coroutine returning rill::task<>. It has a pid and a
// mailbox; it shares nothing and talks only by messages.

#include <rill/rill.hpp>

#include <iostream>
#include <string>

using namespace rill;

struct greeting {
    pid from;
    std::string name;
};

task<> greeter() {
    greeting g = co_await process::receive_exact<greeting>();
    process::send(g.from, "hello, " + g.name);
}

task<> root() {
    pid p = process::spawn(greeter);
    process::send(p, greeting{process::self(), "world"});
    std::string reply = co_await process::receive_exact<std::string>();
    std::cout << process::self() << " got \"" << reply << "\" from " << p << "\n";
    if (reply != "hello, world") {
        process::exit(term(atom("wrong_reply")));
    }
}

int main() {
    runtime rt;
    term reason = rt.run(root);
    std::cout << "root exited: " << reason << "\n";
    return reason == term(atoms::normal) ? 0 : 1;
}
