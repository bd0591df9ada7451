#include "dist/node/node_core.hpp"

#include <rill/runtime/runtime.hpp>

#include "dist/epmd/epmd_client.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/io/deadline.hpp"
#include "dist/io/u16_messages.hpp"
#include "dist/node/cookie_file.hpp"

#include <algorithm>
#include <array>
#include <future>
#include <iostream>
#include <utility>

namespace rill::dist::internal {

namespace {

// Every running node_core by node name: how `dist::ping` and friends,
// called inside a process, find the distribution of the caller's node.
std::mutex registry_mutex;

std::map<atom, std::weak_ptr<node_core>>& registry() {
    static std::map<atom, std::weak_ptr<node_core>> nodes;
    return nodes;
}

class route final : public remote_route {
public:
    explicit route(std::weak_ptr<node_core> node)
        : node_(std::move(node)) {}

    void send(remote_signal signal) override {
        std::shared_ptr<node_core> node = node_.lock();
        if (node == nullptr) {
            throw std::runtime_error("the distribution has stopped");
        }
        node->send(signal);
    }

private:
    std::weak_ptr<node_core> node_;
};

void check_node_name(std::string_view name, name_mode mode) {
    if (!is_node_name(name)) {
        throw setup_error("dist::net_kernel: the node name '" + std::string(name) +
                          "' is not name@host (set runtime_options::node_name)");
    }
    const std::string host = split_node_name(name).second;
    const bool dotted = host.find('.') != std::string::npos;
    if (mode == name_mode::short_names && dotted) {
        throw setup_error("dist::net_kernel: '" + std::string(name) +
                          "' is a long name (its host has dots); short names were asked for");
    }
    if (mode == name_mode::long_names && !dotted) {
        throw setup_error("dist::net_kernel: '" + std::string(name) +
                          "' is a short name; long names (host with dots) were asked for");
    }
}

template <class T>
T wait_for(asio::io_context& io, awaitable<T> step) {
    return asio::co_spawn(io, std::move(step), asio::use_future).get();
}

} // namespace

std::shared_ptr<node_core> node_core_of(atom node) {
    std::lock_guard lock(registry_mutex);
    auto found = registry().find(node);
    return found == registry().end() ? nullptr : found->second.lock();
}

node_core::node_core(runtime& rt, options opts)
    : runtime_(rt)
    , options_(std::move(opts))
    , node_(rt.node())
    , challenges_(std::random_device{}()) {
    check_node_name(node_.name(), options_.names);
    identity_.node = std::string(node_.name());
    identity_.flags = dflag::offered | (options_.hidden ? 0 : dflag::published);
    identity_.creation = rt.creation();
    if (options_.cookie) {
        identity_.cookie = *options_.cookie;
    } else if (!rt.cookie().empty()) {
        identity_.cookie = rt.cookie();
    } else {
        identity_.cookie = read_cookie_file();
    }
    if (options_.net_ticktime.count() < 4) {
        throw setup_error("dist::net_kernel: net_ticktime must be at least 4 ms");
    }
}

node_core::~node_core() {
    stop();
}

void node_core::log(const std::string& line) const {
    if (options_.log) {
        options_.log(line);
    } else {
        std::cerr << "rill dist " << node_.name() << ": " << line << '\n';
    }
}

void node_core::start() {
    {
        std::lock_guard lock(registry_mutex);
        auto found = registry().find(node_);
        if (found != registry().end() && !found->second.expired()) {
            throw setup_error("dist::net_kernel: node " + std::string(node_.name()) +
                              " already has a net_kernel");
        }
        registry()[node_] = weak_from_this();
    }
    try {
        io_ = std::make_unique<io_thread>();
        asio::error_code error;
        const asio::ip::address address = asio::ip::make_address(options_.listen_address, error);
        if (error) {
            throw setup_error("dist::net_kernel: listen address '" + options_.listen_address +
                              "' is no IP address");
        }
        listener_.emplace(io());
        listener_->open(address.is_v4() ? tcp::v4() : tcp::v6());
        listener_->set_option(tcp::acceptor::reuse_address(true));
        listener_->bind(tcp::endpoint(address, options_.port), error);
        if (error) {
            throw setup_error("dist::net_kernel: cannot listen on " + options_.listen_address +
                              ":" + std::to_string(options_.port) + ": " + error.message());
        }
        listener_->listen();
        port_ = listener_->local_endpoint().port();
        register_with_epmd();
        asio::co_spawn(io(), accept_loop(), asio::detached);
        runtime_.set_remote_route(std::make_shared<route>(weak_from_this()));
    } catch (...) {
        stop();
        throw;
    }
}

void node_core::register_with_epmd() {
    if (options_.epmd == epmd_mode::none) {
        return;
    }
    try {
        epmd_port_ = options_.epmd_port ? *options_.epmd_port : epmd_port_from_environment();
    } catch (const std::invalid_argument& e) {
        throw setup_error(std::string("dist::net_kernel: ") + e.what());
    }
    epmd_node me;
    me.alive = split_node_name(identity_.node).first;
    me.port = port_;
    me.type = options_.hidden ? epmd_hidden_node : epmd_normal_node;

    auto start_embedded = [&] {
        try {
            embedded_ = std::make_shared<embedded_epmd>(
                io(), tcp::endpoint(asio::ip::address_v4::loopback(), epmd_port_));
            embedded_->start();
            epmd_port_ = embedded_->port(); // port 0 asked for any free one
            return true;
        } catch (const asio::system_error& e) {
            if (e.code() == asio::error::address_in_use && options_.epmd == epmd_mode::automatic) {
                return false; // another node started one meanwhile: register there
            }
            throw setup_error("dist::net_kernel: cannot start an epmd on port " +
                              std::to_string(epmd_port_) + ": " + e.code().message());
        }
    };
    if (options_.epmd == epmd_mode::embedded) {
        start_embedded();
    }
    for (int attempt = 0;; ++attempt) {
        try {
            const tcp::endpoint epmd(asio::ip::address_v4::loopback(), epmd_port_);
            epmd_registration reg = wait_for(io(), epmd_register(epmd, me));
            epmd_registration_ = std::move(reg.connection);
            return;
        } catch (const asio::system_error& e) {
            const bool nobody = e.code() == asio::error::connection_refused;
            if (!nobody || options_.epmd != epmd_mode::automatic || attempt > 2) {
                throw setup_error("dist::net_kernel: no epmd answers on port " +
                                  std::to_string(epmd_port_) + ": " + e.code().message());
            }
            start_embedded();
        } catch (const std::exception& e) {
            throw setup_error(std::string("dist::net_kernel: epmd: ") + e.what());
        }
    }
}

void node_core::stop() {
    {
        std::lock_guard lock(registry_mutex);
        auto found = registry().find(node_);
        if (found != registry().end() &&
            (found->second.expired() || found->second.lock().get() == this)) {
            registry().erase(found);
        }
    }
    if (io_ == nullptr || io_stopped_) {
        return;
    }
    runtime_.set_remote_route(nullptr);
    {
        std::lock_guard lock(table_mutex_);
        stopping_ = true;
    }
    // Close everything on the I/O thread, then stop it.
    std::promise<void> closed;
    asio::post(io(), [this, &closed] {
        std::vector<std::shared_ptr<connection>> all;
        {
            std::lock_guard lock(table_mutex_);
            for (auto& [peer, c] : connections_) {
                all.push_back(c);
            }
        }
        for (auto& c : all) {
            c->fail("this node's distribution stops");
        }
        asio::error_code ignored;
        if (listener_) {
            listener_->close(ignored);
        }
        if (epmd_registration_) {
            epmd_registration_->close(ignored);
        }
        if (embedded_) {
            embedded_->stop();
        }
        closed.set_value();
    });
    closed.get_future().wait();
    // Stopped and joined, not destroyed: a coroutine still running on the
    // I/O thread until it stops may use io(), and so may a late sender.
    io_->stop();
    io_stopped_ = true;
    listener_.reset();
    epmd_registration_.reset();
    embedded_.reset();
    std::lock_guard lock(table_mutex_);
    connections_.clear();
    for (auto& [peer, done] : waiters_) {
        done(false);
    }
    waiters_.clear();
}

std::uint32_t node_core::fresh_challenge() {
    return static_cast<std::uint32_t>(challenges_());
}

// ---- outbound -----------------------------------------------------------------------------

void node_core::send(const remote_signal& signal) {
    const atom peer = signal.to.node;
    std::shared_ptr<connection> c;
    bool dial = false;
    {
        std::lock_guard lock(table_mutex_);
        if (stopping_) {
            throw std::runtime_error("the distribution is stopping");
        }
        auto& entry = connections_[peer];
        if (entry == nullptr) {
            entry = std::make_shared<connection>(*this, peer);
            dial = true;
        }
        c = entry;
    }
    if (dial) {
        asio::co_spawn(io(), run_initiator(c), asio::detached);
    }
    c->send(signal);
}

void node_core::ensure_connected(atom peer, std::function<void(bool)> done) {
    std::shared_ptr<connection> c;
    bool dial = false;
    {
        std::lock_guard lock(table_mutex_);
        if (stopping_) {
            done(false);
            return;
        }
        auto& entry = connections_[peer];
        if (entry == nullptr) {
            entry = std::make_shared<connection>(*this, peer);
            dial = true;
        } else if (entry->current_state() == connection::state::up) {
            done(true);
            return;
        }
        c = entry;
        waiters_.emplace(peer, std::move(done));
    }
    if (dial) {
        asio::co_spawn(io(), run_initiator(c), asio::detached);
    }
}

std::vector<atom> node_core::connected_nodes() const {
    std::lock_guard lock(table_mutex_);
    std::vector<atom> out;
    for (const auto& [peer, c] : connections_) {
        if (c->current_state() == connection::state::up) {
            out.push_back(peer);
        }
    }
    return out;
}

bool node_core::disconnect(atom peer) {
    std::shared_ptr<connection> c;
    {
        std::lock_guard lock(table_mutex_);
        auto found = connections_.find(peer);
        if (found == connections_.end()) {
            return false;
        }
        c = found->second;
    }
    asio::post(io(), [c] { c->fail("disconnected by this node"); });
    return true;
}

std::vector<connection_statistics> node_core::statistics() const {
    std::lock_guard lock(table_mutex_);
    std::vector<connection_statistics> out;
    for (const auto& [peer, c] : connections_) {
        connection_statistics s;
        s.peer = peer;
        s.bytes_sent = c->bytes_sent.load(std::memory_order_relaxed);
        s.bytes_received = c->bytes_received.load(std::memory_order_relaxed);
        s.frames_sent = c->frames_sent.load(std::memory_order_relaxed);
        s.frames_received = c->frames_received.load(std::memory_order_relaxed);
        s.queued_bytes = c->queued_bytes();
        s.ticks_sent = c->ticks_sent.load(std::memory_order_relaxed);
        s.ticks_received = c->ticks_received.load(std::memory_order_relaxed);
        s.busy_events = c->busy_events.load(std::memory_order_relaxed);
        s.since_last_heard = std::chrono::milliseconds(std::max<std::int64_t>(
            0, steady_ms() - c->last_heard_ms.load(std::memory_order_relaxed)));
        out.push_back(s);
    }
    return out;
}

void node_core::forget(const std::shared_ptr<connection>& c) {
    {
        std::lock_guard lock(table_mutex_);
        auto found = connections_.find(c->peer());
        if (found != connections_.end() && found->second == c) {
            connections_.erase(found);
        }
    }
    notify(c->peer(), false);
    tell_node_watchers(c->peer(), false, c->came_up());
}

void node_core::connected(const std::shared_ptr<connection>& c) {
    notify(c->peer(), true);
    tell_node_watchers(c->peer(), true, true);
}

void node_core::monitor_node(atom peer, const pid& watcher, bool on) {
    if (peer == node_) {
        return;
    }
    {
        std::lock_guard lock(table_mutex_);
        if (!on) {
            auto [first, last] = node_watchers_.equal_range(peer);
            auto found =
                std::find_if(first, last, [&](const auto& e) { return e.second == watcher; });
            if (found != last) {
                node_watchers_.erase(found);
            }
            return;
        }
        node_watchers_.emplace(peer, watcher);
        sweep_node_watchers();
    }
    // Connects when there is no connection; a failure comes back through
    // forget, which tells the watcher.
    ensure_connected(peer, [](bool /*up*/) {});
}

void node_core::monitor_nodes(const pid& watcher, bool on) {
    std::lock_guard lock(table_mutex_);
    if (on) {
        all_nodes_watchers_.push_back(watcher);
        sweep_node_watchers();
    } else if (auto found =
                   std::find(all_nodes_watchers_.begin(), all_nodes_watchers_.end(), watcher);
               found != all_nodes_watchers_.end()) {
        all_nodes_watchers_.erase(found);
    }
}

void node_core::sweep_node_watchers() {
    if (node_watchers_.size() + all_nodes_watchers_.size() < sweep_watchers_at_) {
        return;
    }
    std::erase_if(node_watchers_, [this](const auto& e) { return !runtime_.is_alive(e.second); });
    std::erase_if(all_nodes_watchers_, [this](const pid& p) { return !runtime_.is_alive(p); });
    sweep_watchers_at_ =
        std::max<std::size_t>(1024, 2 * (node_watchers_.size() + all_nodes_watchers_.size()));
}

void node_core::tell_node_watchers(atom peer, bool up, bool was_up) {
    static const atom nodeup{"nodeup"};
    static const atom nodedown{"nodedown"};
    std::vector<pid> told;
    {
        std::lock_guard lock(table_mutex_);
        if (!up) {
            auto [first, last] = node_watchers_.equal_range(peer);
            for (auto it = first; it != last; ++it) {
                told.push_back(it->second);
            }
            node_watchers_.erase(first, last);
        }
        if (was_up) {
            told.insert(told.end(), all_nodes_watchers_.begin(), all_nodes_watchers_.end());
        }
    }
    const term message = term::tuple_of(up ? nodeup : nodedown, peer);
    for (const pid& watcher : told) {
        runtime_.send(watcher, message);
    }
}

void node_core::notify(atom peer, bool up) {
    std::vector<std::function<void(bool)>> done;
    {
        std::lock_guard lock(table_mutex_);
        auto [first, last] = waiters_.equal_range(peer);
        for (auto it = first; it != last; ++it) {
            done.push_back(std::move(it->second));
        }
        waiters_.erase(first, last);
    }
    for (auto& f : done) {
        f(up);
    }
}

} // namespace rill::dist::internal
