// 06 — Erlang's receive with several clauses: a server loop over three
// request types, and a call that waits for "the reply to my reference, or
// the DOWN of the server" (the shape of gen_server:call), both with
// receive_first.

#include <rill/rill.hpp>

#include <iostream>
#include <optional>
#include <utility>

using namespace rill;

struct deposit {
    int amount;
};

struct withdraw {
    int amount;
};

struct balance {};

/// A request as the server receives it: who asks, and the reference the
/// reply must carry.
template <class Request>
struct call_from {
    pid from;
    reference ref;
    Request request;
};

/// Answers a call: `{Ref, Reply}`, as a pair.
template <class Request, class Reply>
void reply(const call_from<Request>& call, Reply value) {
    process::send(call.from, std::pair<reference, Reply>{call.ref, std::move(value)});
}

/// Calls `server` and waits for its reply; empty when the server ends (or
/// was dead) before replying. The monitor's reference tags the call, so
/// one receive sees both the reply and the DOWN, and `sent_after` lets it
/// skip everything queued before the call.
template <class Reply, class Request>
task<std::optional<Reply>> call(pid server, Request request) {
    reference mref = process::monitor(server);
    process::send(server, call_from<Request>{process::self(), mref, std::move(request)});
    std::optional<Reply> result = co_await process::receive_first(
        process::sent_after(mref),
        process::when<std::pair<reference, Reply>>(
            [mref](const auto& r) { return r.first == mref; },
            [](std::pair<reference, Reply> r) {
                return std::optional<Reply>(std::move(r.second));
            }),
        process::when<down_signal>([mref](const down_signal& d) { return d.ref == mref; },
                                   [] { return std::optional<Reply>(); }));
    process::demonitor(mref, {.flush = true}); // no DOWN left behind if it ends now
    co_return result;
}

/// An account: one receive, a clause per request type, until `close`.
task<> account(int funds) {
    for (bool open = true; open;) {
        open = co_await process::receive_first(
            [&funds](const call_from<deposit>& c) {
                funds += c.request.amount;
                reply(c, funds);
                return true;
            },
            [&funds](const call_from<withdraw>& c) {
                bool paid = c.request.amount <= funds;
                funds -= paid ? c.request.amount : 0;
                reply(c, paid);
                return true;
            },
            [&funds](const call_from<balance>& c) {
                reply(c, funds);
                return true;
            },
            [](atom a) { return a != atom("close"); });
    }
}

task<> root() {
    pid bank = process::spawn(account, 100);
    std::optional<int> after_deposit = co_await call<int>(bank, deposit{50});
    std::optional<bool> refused = co_await call<bool>(bank, withdraw{500});
    std::optional<bool> paid = co_await call<bool>(bank, withdraw{30});
    std::optional<int> left = co_await call<int>(bank, balance{});
    process::send(bank, atom("close"));
    std::optional<int> after_close = co_await call<int>(bank, balance{});

    std::cout << "deposit 50 -> " << after_deposit.value_or(-1) << "\n"
              << "withdraw 500 -> " << (refused.value_or(true) ? "paid" : "refused") << "\n"
              << "withdraw 30 -> " << (paid.value_or(false) ? "paid" : "refused") << "\n"
              << "balance -> " << left.value_or(-1) << "\n"
              << "balance after close -> " << (after_close ? "a reply" : "no reply (DOWN)") << "\n";

    bool ok = after_deposit == 150 && refused == false && paid == true && left == 120 &&
              !after_close.has_value();
    if (!ok) {
        process::exit(term(atom("unexpected")));
    }
}

int main() {
    runtime rt;
    term reason = rt.run(root);
    return reason == term(atoms::normal) ? 0 : 1;
}
