// A process body must not co_await an awaitable that is not rill's: it
// would be resumed outside its worker, maybe after the process ended.

#include <rill/rill.hpp>

#include <coroutine>

rill::task<> body() {
    co_await std::suspend_always{};
}

int main() {
    rill::runtime rt;
    rt.run(body);
}
