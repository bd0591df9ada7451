// 07 — a gen_server (rill::otp): a key-value store as a C++ class. Typed
// requests from C++ callers (each has its own handle_call overload; the
// request and the reply are moved, never serialized), term requests as an
// Erlang node would send them, a cast, a deferred reply, and the exit
// reasons OTP gives a caller when the server is gone.

#include <rill/otp.hpp>
#include <rill/rill.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace rill;

// The requests: plain structs.
struct put {
    std::string key;
    std::string value;
};

struct get {
    std::string key;
};

struct wait_for {
    std::string key;
}; // answered when the key is put

struct store : otp::gen_server {
    // Typed calls: the reply type is what the overload returns.
    std::optional<std::string> handle_call(const get& request) {
        auto it = data.find(request.key);
        return it == data.end() ? std::nullopt : std::optional<std::string>(it->second);
    }

    // A reply that comes later: keep `from`, answer with otp::reply.
    otp::call_result<std::string> handle_call(wait_for request, const otp::from& caller) {
        if (auto it = data.find(request.key); it != data.end()) {
            return it->second;
        }
        waiting.emplace(request.key, caller);
        return otp::noreply();
    }

    // Calls as Erlang sends them (gen_server:call(store, size)).
    term handle_call(const term& request, const otp::from&) {
        if (request.is_atom(atom("size"))) {
            return term(static_cast<std::int64_t>(data.size()));
        }
        return term::tuple_of(atom("error"), atom("unknown_request"));
    }

    void handle_cast(put request) {
        auto [first, last] = waiting.equal_range(request.key);
        for (auto it = first; it != last; ++it) {
            otp::reply(it->second, request.value);
        }
        waiting.erase(first, last);
        data[request.key] = std::move(request.value);
    }

    [[nodiscard]] term state() const {
        return term(static_cast<std::int64_t>(data.size()));
    } // sys:get_state

    std::map<std::string, std::string> data;
    std::multimap<std::string, otp::from> waiting;
};

task<> waiter(otp::server_ref<store> kv, pid report_to) {
    const wait_for request{"colour"};
    std::string value = co_await otp::call(kv, request);
    process::send(report_to, value);
}

task<> root(bool* ok) {
    const otp::local_name name{atom("store")};
    otp::start_result<store> started = co_await otp::start_link<store>(name);
    const otp::server_ref<store> kv = started.server();

    // A caller waits for a key nobody has put yet.
    process::spawn(waiter, kv, process::self());

    otp::cast(kv, put{"colour", "teal"});
    otp::cast(kv, put{"shape", "round"});
    const get ask{"colour"};
    std::optional<std::string> colour = co_await otp::call(kv, ask);
    std::string waited = co_await process::receive_exact<std::string>();
    term size = co_await otp::call(atom("store"), term(atom("size"))); // untyped, by name
    std::cout << "colour = " << colour.value_or("?") << ", the waiter got " << waited
              << ", size = " << size << "\n";

    // A call to a server that is gone exits the caller, as OTP's does; it
    // can be caught.
    co_await otp::stop(kv);
    term reason;
    try {
        (void)co_await otp::call(kv, ask);
    } catch (const exit_exception& e) {
        reason = e.reason();
    }
    std::cout << "after stop, a call exits with " << reason << "\n";

    *ok = colour == std::optional<std::string>("teal") && waited == "teal" && size == term(2) &&
          reason.is_tuple() && reason.elements()[0] == term(atom("noproc"));
}

int main() {
    runtime rt;
    bool ok = false;
    const term reason = rt.run(root, &ok);
    return ok && reason == term(atom("normal")) ? 0 : 1;
}
