#include "registry/registry.hpp"

#include <rill/core/errors.hpp>
#include <rill/detail/registry_entry.hpp>

#include <sstream>

namespace rill::internal {

namespace {

template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
    std::ostringstream text;
    (text << ... << parts);
    throw badarg(text.str());
}

} // namespace

void registry::register_name(const pid& p, atom name) {
    if (name == atoms::undefined) {
        fail("register_name: 'undefined' cannot be a registered name");
    }
    if (!runtime_.is_local(p)) {
        fail("register_name: ", p, " is not a process of this node");
    }
    process* block = runtime_.pin(p);
    if (block == nullptr) {
        fail("register_name: ", p, " is not alive");
    }
    std::unique_lock lock(mutex_);
    if (auto taken = names_.find(name); taken != names_.end()) {
        pid holder = taken->second;
        lock.unlock();
        block->unpin();
        fail("register_name: ", name, " is already taken by ", holder);
    }
    if (!block->name().try_take(name)) {
        std::optional<atom> current = block->registered_name();
        lock.unlock();
        block->unpin();
        if (current) {
            fail("register_name: ", p, " is already registered as ", *current);
        }
        fail("register_name: ", p, " is not alive");
    }
    names_.emplace(name, p);
    lock.unlock();
    block->unpin();
}

void registry::unregister(atom name) {
    std::lock_guard lock(mutex_);
    auto found = names_.find(name);
    if (found == names_.end()) {
        fail("unregister: ", name, " is not a registered name");
    }
    pid holder = found->second;
    names_.erase(found);
    if (process* block = runtime_.pin(holder)) {
        block->name().drop(name);
        block->unpin();
    }
}

std::optional<pid> registry::whereis(atom name) const {
    std::lock_guard lock(mutex_);
    auto found = names_.find(name);
    if (found == names_.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::vector<atom> registry::registered() const {
    std::lock_guard lock(mutex_);
    std::vector<atom> result;
    result.reserve(names_.size());
    for (const auto& entry : names_) {
        result.push_back(entry.first);
    }
    return result;
}

void registry::release(process& dying) noexcept {
    std::optional<atom> name = dying.name().close();
    if (!name) {
        return; // most processes have no name: no lock
    }
    std::lock_guard lock(mutex_);
    auto found = names_.find(*name);
    if (found != names_.end() && found->second == dying.to_pid()) {
        names_.erase(found);
    }
}

} // namespace rill::internal

namespace rill::detail {

// A name change is visible to every process: a monitor held back by the
// caller goes out first (docs/design/0007).

void register_name(runtime_core& runtime, const pid& p, atom name) {
    internal::process& self = internal::process::current_or_throw("process::register_name");
    self.charge();
    self.release_held_monitor();
    runtime.names->register_name(p, name);
}

void unregister(runtime_core& runtime, atom name) {
    if (internal::process* self = internal::process::current()) {
        self->release_held_monitor();
    }
    runtime.names->unregister(name);
}

std::optional<pid> whereis(runtime_core& runtime, atom name) {
    return runtime.names->whereis(name);
}

std::vector<atom> registered(runtime_core& runtime) {
    return runtime.names->registered();
}

pid whereis_or_badarg(runtime_core& runtime, atom name) {
    if (auto holder = runtime.names->whereis(name)) {
        return *holder;
    }
    std::ostringstream text;
    text << "send: no process is registered as " << name;
    throw badarg(text.str());
}

} // namespace rill::detail
