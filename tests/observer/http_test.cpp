// The observer's HTTP endpoint (include/rill/observer/server.hpp) on a
// node that runs by itself (two workers): the JSON API, the page, the
// token, actions, and bad input. Each request is a real HTTP request on
// loopback; waits are on answers (HTTP replies, futures set by processes),
// never on time.

#include <rill/observer.hpp>
#include <rill/otp.hpp>
#include <rill/rill.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <future>
#include <httplib.h>
#include <memory>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace rill {
namespace {

using json = nlohmann::json;

struct counter : otp::gen_server {
    otp::result handle_cast(const term& request) {
        if (request == term(atom("crash"))) {
            return otp::stop_with(term(atom("boom")));
        }
        ++count;
        return otp::noreply();
    }

    term state() const { return term::tuple_of(atom("count"), count); }

    int count = 0;
};

/// Runs `body` in a process of `rt` and waits for its result.
template <class R>
R in_node(runtime& rt, std::function<task<R>()> body) {
    auto promise = std::make_shared<std::promise<R>>();
    std::future<R> future = promise->get_future();
    rt.spawn(
        +[](std::function<task<R>()> f, std::shared_ptr<std::promise<R>> out) -> task<> {
            R result = co_await f();
            out->set_value(std::move(result));
        },
        std::move(body),
        promise);
    return future.get();
}

task<pid> start_tree() {
    otp::supervisor_flags flags;
    flags.intensity = 10;
    std::vector<otp::child_spec> children{otp::worker<counter>(atom("first")),
                                          otp::worker<counter>(atom("second"))};
    const otp::local_name name{atom("top")};
    otp::start_result<otp::supervisor> started =
        co_await otp::start<otp::supervisor>(name, flags, children);
    co_return started.server_pid();
}

task<> idle() {
    (void)co_await process::receive_exact<std::string>();
}

struct ObserverHttp : ::testing::Test {
    runtime rt{runtime_options{.workers = 2}};
    std::optional<observer::server> view;
    std::unique_ptr<httplib::Client> client;

    void start(observer::options options = {}) {
        view.emplace(observer::start(rt, std::move(options)));
        client = std::make_unique<httplib::Client>("127.0.0.1", view->port());
        client->set_read_timeout(10, 0);
    }

    json get_json(const std::string& path, int expected_status = 200) {
        httplib::Result r = client->Get(path);
        EXPECT_TRUE(r) << path.substr(0, 80);
        if (!r) {
            return nullptr;
        }
        EXPECT_EQ(r->status, expected_status) << path.substr(0, 80) << ": " << r->body;
        EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path.substr(0, 80);
        return json::parse(r->body);
    }

    std::string pid_text(const pid& p) {
        return "<0." + std::to_string(p.id) + "." + std::to_string(p.serial) + ">";
    }

    /// `pid_text` for a query string.
    std::string pid_param(const pid& p) {
        return "%3C0." + std::to_string(p.id) + "." + std::to_string(p.serial) + "%3E";
    }

    void TearDown() override {
        client.reset();
        view.reset();
    }
};

TEST_F(ObserverHttp, ServesThePageAndTheOverview) {
    for (int i = 0; i < 100; ++i) {
        rt.spawn(idle);
    }
    start();
    EXPECT_EQ(view->url(), "http://127.0.0.1:" + std::to_string(view->port()) + "/");

    httplib::Result page = client->Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(page->body.find("<title>rill observer</title>"), std::string::npos);
    // It loads nothing from elsewhere (the SVG namespace is a name, not a load).
    std::string body = page->body;
    for (std::size_t at; (at = body.find("http://www.w3.org/2000/svg")) != std::string::npos;) {
        body.erase(at, 26);
    }
    EXPECT_EQ(body.find("http://"), std::string::npos);
    EXPECT_EQ(body.find("https://"), std::string::npos);
    EXPECT_EQ(body.find("<script src"), std::string::npos);

    const json overview = get_json("/api/overview");
    EXPECT_EQ(overview["node"], "nonode@nohost");
    EXPECT_GE(overview["totals"]["processes"].get<int>(), 100);
    EXPECT_EQ(overview["schedulers"].size(), 2U);
    EXPECT_FALSE(overview["actions"].get<bool>());
    EXPECT_FALSE(overview["distributed"].get<bool>());
}

TEST_F(ObserverHttp, TheProcessTableSortsFiltersAndPages) {
    for (int i = 0; i < 300; ++i) {
        rt.spawn(idle);
    }
    const pid top = in_node<pid>(rt, start_tree);
    start();

    const json by_pid = get_json("/api/processes?sort=pid&order=asc&limit=50");
    ASSERT_EQ(by_pid["rows"].size(), 50U);
    EXPECT_GE(by_pid["total"].get<int>(), 303);
    std::vector<std::pair<int, int>> ids;
    for (const json& row : by_pid["rows"]) {
        const std::string p = row["pid"];
        const auto dot = p.find('.', 3);
        ids.emplace_back(std::stoi(p.substr(3, dot - 3)), std::stoi(p.substr(dot + 1)));
    }
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));

    const json by_memory = get_json("/api/processes?sort=memory&order=desc&limit=1000");
    std::vector<std::size_t> memory;
    for (const json& row : by_memory["rows"]) {
        memory.push_back(row["memory"]);
    }
    EXPECT_TRUE(std::is_sorted(memory.rbegin(), memory.rend()));

    const json named = get_json("/api/processes?filter=TOP");
    ASSERT_EQ(named["matched"], 1);
    EXPECT_EQ(named["rows"][0]["pid"], pid_text(top));
    EXPECT_EQ(named["rows"][0]["name"], "top");
    EXPECT_EQ(named["rows"][0]["label"], "otp::supervisor");

    const json servers = get_json("/api/processes?filter=counter&sort=name");
    EXPECT_EQ(servers["matched"], 2);
    for (const json& row : servers["rows"]) {
        EXPECT_EQ(row["links"], 1) << row.dump(); // to their supervisor
    }

    // The supervisor links to its two children: no process has more.
    const json by_links = get_json("/api/processes?sort=links&order=desc&limit=1");
    EXPECT_EQ(by_links["rows"][0]["pid"], pid_text(top));
    EXPECT_GE(by_links["rows"][0]["links"].get<int>(), 2);
    EXPECT_EQ(get_json("/api/processes?sort=monitored_by")["rows"].size(), 100U);

    const json second_page = get_json("/api/processes?sort=pid&order=asc&offset=50&limit=10");
    EXPECT_EQ(second_page["offset"], 50);
    ASSERT_EQ(second_page["rows"].size(), 10U);
}

TEST_F(ObserverHttp, AProcessPageShowsLinksStateAndChildren) {
    const pid top = in_node<pid>(rt, start_tree);
    start();

    const json sup = get_json("/api/processes/" + pid_text(top));
    EXPECT_EQ(sup["name"], "top");
    EXPECT_TRUE(sup["is_supervisor"].get<bool>());
    ASSERT_EQ(sup["children"].size(), 2U);
    EXPECT_EQ(sup["links"].size(), 2U); // its two children
    const std::string child = sup["children"][0]["pid"];

    const json worker = get_json("/api/processes/" + child);
    EXPECT_EQ(worker["state"], "{count,0}");
    EXPECT_NE(worker["label"].get<std::string>().find("counter"), std::string::npos);
    EXPECT_EQ(worker["links"], json::array({pid_text(top)}));
    EXPECT_FALSE(worker["is_supervisor"].get<bool>());

    const json tree = get_json("/api/supervision");
    ASSERT_EQ(tree["roots"].size(), 1U);
    const json& root = tree["roots"][0];
    EXPECT_EQ(root["pid"], pid_text(top));
    EXPECT_EQ(root["name"], "top");
    ASSERT_EQ(root["children"].size(), 2U);
    std::vector<std::string> ids;
    for (const json& c : root["children"]) {
        ids.push_back(c["id"]);
        EXPECT_EQ(c["type"], "worker");
        EXPECT_EQ(c["state"], "running");
    }
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::string>{"first", "second"}));
}

TEST_F(ObserverHttp, BadRequestsGetClearErrors) {
    start();
    EXPECT_EQ(get_json("/nowhere", 404)["error"], "no such path: /nowhere");
    EXPECT_NE(get_json("/api/processes?sort=bogus", 400)["error"].get<std::string>().find("sort"),
              std::string::npos);
    (void)get_json("/api/processes?sort=" + std::string(100000, 'x'), 414); // URI too long
    (void)get_json("/api/processes?sort=" + std::string(1000, 'x'), 400);
    (void)get_json("/api/processes?order=sideways", 400);
    (void)get_json("/api/processes?limit=-1", 400);
    (void)get_json("/api/processes?limit=99999999999999999999999", 400);
    (void)get_json("/api/processes?filter=" + std::string(300, 'a'), 400);
    (void)get_json("/api/processes?what=1", 400);
    (void)get_json("/api/crashes?since=x", 400);
    EXPECT_NE(get_json("/api/processes/%3C0.99999.0%3E", 404)["error"].get<std::string>().find(
                  "no such process"),
              std::string::npos);
    EXPECT_NE(get_json("/api/processes/%3C7.1.0%3E", 404)["error"].get<std::string>().find(
                  "not a pid of this node"),
              std::string::npos);
    (void)get_json("/api/processes/garbage", 404);
    httplib::Result kill = client->Post("/api/processes/%3C0.1.0%3E/kill");
    ASSERT_TRUE(kill);
    EXPECT_EQ(kill->status, 403);
}

TEST_F(ObserverHttp, ActionsKillOnlyWhenAllowed) {
    const pid victim = rt.spawn(idle);
    observer::options options;
    options.allow_actions = true;
    start(options);
    httplib::Result killed = client->Post("/api/processes/" + pid_text(victim) + "/kill");
    ASSERT_TRUE(killed);
    EXPECT_EQ(killed->status, 200) << killed->body;
    (void)get_json("/api/processes/" + pid_text(victim), 404);
    EXPECT_FALSE(rt.is_alive(victim));
    httplib::Result again = client->Post("/api/processes/" + pid_text(victim) + "/kill");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 404);
}

TEST_F(ObserverHttp, ATokenIsRequiredWhenSet) {
    observer::options options;
    options.token = "s3cret";
    start(options);
    (void)get_json("/api/overview", 401);
    httplib::Result page = client->Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 401);
    EXPECT_EQ(client->Get("/?token=s3cret")->status, 200);
    EXPECT_EQ(client->Get("/api/overview?token=s3cret")->status, 401); // the API takes the header
    client->set_bearer_token_auth("wrong");
    EXPECT_EQ(client->Get("/metrics")->status, 401);
    client->set_bearer_token_auth("s3cret");
    EXPECT_EQ(client->Get("/metrics")->status, 200);
    (void)get_json("/api/overview");
}

TEST_F(ObserverHttp, APortInUseIsAClearError) {
    start();
    observer::options taken;
    taken.port = view->port();
    EXPECT_THROW((void)observer::start(rt, taken), observer::setup_error);
    observer::options nonsense;
    nonsense.address = "not an address";
    EXPECT_THROW((void)observer::start(rt, nonsense), observer::setup_error);
}

/// Crashes `child` of the supervisor `top`, waits until the supervisor has
/// restarted it (so its report is logged), then logs a marker: any handler
/// sees the marker after both reports.
task<> mark_after_the_restart(pid child, std::shared_ptr<std::promise<void>> out) {
    otp::add_log_handler(
        atom("test_marker"), otp::log_level::error, [out](const otp::log_event& e) {
            if (e.kind == atom("marker")) {
                out->set_value();
            }
        });
    process::monitor(child);
    otp::cast(otp::server_ref<>(child), term(atom("crash")));
    (void)co_await process::receive_exact<down_signal>();
    // The supervisor logs child_terminated before it restarts the child.
    for (bool restarted = false; !restarted;) {
        std::vector<otp::child_info> children =
            co_await otp::which_children(otp::server_ref<>(atom("top")));
        restarted = true;
        for (const otp::child_info& c : children) {
            restarted = restarted && c.process && *c.process != child;
        }
    }
    otp::log(otp::log_level::error, atom("marker"), term(atom("done")));
}

TEST_F(ObserverHttp, CrashReportsAppearAsTheyCome) {
    const pid top = in_node<pid>(rt, start_tree);
    start();
    const json sup = get_json("/api/processes/" + pid_text(top));
    const std::string child_text = sup["children"][0]["pid"];
    pid child;
    child.node = rt.node();
    child.creation = rt.creation();
    child.id = static_cast<std::uint32_t>(std::stoul(child_text.substr(3)));
    child.serial =
        static_cast<std::uint32_t>(std::stoul(child_text.substr(child_text.rfind('.') + 1)));

    // The observer's handler, added at start, sees the reports before the
    // marker that the test's handler waits for.
    auto marker_seen = std::make_shared<std::promise<void>>();
    std::future<void> marker = marker_seen->get_future();
    rt.spawn(mark_after_the_restart, child, marker_seen);
    marker.get();

    const json crashes = get_json("/api/crashes");
    std::vector<std::string> kinds;
    for (const json& e : crashes["entries"]) {
        kinds.push_back(e["kind"]);
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"crash_report", "supervisor_report", "marker"}));
    EXPECT_NE(crashes["entries"][0]["text"].get<std::string>().find("boom"), std::string::npos);
    const json later = get_json("/api/crashes?since=" + std::to_string(crashes["last"].get<int>()));
    EXPECT_TRUE(later["entries"].empty());
}

TEST_F(ObserverHttp, ManyConcurrentClientsAndASilentOneAllGetAnswers) {
    for (int i = 0; i < 1000; ++i) {
        rt.spawn(idle);
    }
    start();
    // A client that connects and never sends holds one connection, not the server.
    const int silent = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(view->port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(silent, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);

    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 16; ++i) {
        clients.emplace_back([&, port = view->port()] {
            httplib::Client c("127.0.0.1", port);
            c.set_read_timeout(20, 0);
            for (int k = 0; k < 4; ++k) {
                httplib::Result r = c.Get(k % 2 == 0 ? "/api/processes?sort=memory" : "/metrics");
                if (r && r->status == 200) {
                    ok.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    for (std::thread& t : clients) {
        t.join();
    }
    ::close(silent);
    EXPECT_EQ(ok.load(), 64);
}

/// Forwards each term it gets to `to`.
task<> forward(pid to) {
    for (;;) {
        term t = co_await process::receive_exact<term>();
        process::send(to, t);
    }
}

/// Sets `done` once it has received `n` messages.
task<> count_to(int n, std::shared_ptr<std::promise<void>> done) {
    for (int i = 0; i < n; ++i) {
        (void)co_await process::receive_any();
    }
    done->set_value();
}

TEST_F(ObserverHttp, ATraceFromThePageSeesMessagesAndStopsAtItsLimit) {
    auto received = std::make_shared<std::promise<void>>();
    std::future<void> all_there = received->get_future();
    const pid counter = rt.spawn(count_to, 3, received);
    const pid traced = rt.spawn(forward, counter);
    observer::options options;
    options.allow_actions = true;
    start(options);

    httplib::Result started = client->Post("/api/trace?pid=" + pid_param(traced) + "&limit=4");
    ASSERT_TRUE(started);
    ASSERT_EQ(started->status, 200) << started->body;
    const int id = json::parse(started->body)["id"];
    for (int i = 1; i <= 3; ++i) {
        rt.send(traced, term(i));
    }
    all_there.get(); // every forward was sent, so every event was taken

    const json trace = get_json("/api/trace/" + std::to_string(id));
    EXPECT_EQ(trace["pid"], pid_text(traced));
    EXPECT_EQ(trace["state"], "max_events");
    EXPECT_EQ(trace["count"], 4);
    ASSERT_EQ(trace["events"].size(), 4U);
    EXPECT_EQ(trace["events"][0]["kind"], "received");
    EXPECT_EQ(trace["events"][0]["text"], "1");
    EXPECT_EQ(trace["events"][1]["kind"], "sent");
    EXPECT_EQ(trace["events"][1]["peer"], pid_text(counter));
    EXPECT_EQ(get_json("/api/trace/" + std::to_string(id) + "?since=3")["events"].size(), 1U);

    httplib::Result stopped = client->Delete("/api/trace/" + std::to_string(id));
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->status, 200);
    (void)get_json("/api/trace/" + std::to_string(id), 404);
}

TEST_F(ObserverHttp, AFollowFromThePageSeesTheProcessesTheMessagesReach) {
    auto received = std::make_shared<std::promise<void>>();
    std::future<void> all_there = received->get_future();
    const pid counter = rt.spawn(count_to, 2, received);
    const pid traced = rt.spawn(forward, counter);
    observer::options options;
    options.allow_actions = true;
    start(options);

    httplib::Result started = client->Post("/api/trace?follow=1&pid=" + pid_param(traced));
    ASSERT_TRUE(started);
    ASSERT_EQ(started->status, 200) << started->body;
    const int id = json::parse(started->body)["id"];
    rt.send(traced, term(1));
    rt.send(traced, term(2));
    all_there.get(); // the counter took both: their events are in

    const json trace = get_json("/api/trace/" + std::to_string(id));
    ASSERT_TRUE(trace["label"].is_string()) << trace.dump();
    // The two processes run on workers of their own: their events
    // interleave in any order, each process's in its own.
    std::vector<std::string> seen;
    std::vector<std::uint64_t> counter_serials;
    for (const json& e : trace["events"]) {
        const bool by_counter = e["process"] == pid_text(counter);
        seen.push_back((by_counter ? "counter " : "traced ") + e["kind"].get<std::string>() +
                       (e["label"].is_null() ? "" : " labelled"));
        if (!e["label"].is_null()) {
            EXPECT_EQ(e["label"], trace["label"]);
        }
        if (by_counter) {
            counter_serials.push_back(e["serial"].get<std::uint64_t>());
        }
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen,
              (std::vector<std::string>{"counter received labelled",
                                        "counter received labelled",
                                        "traced received",
                                        "traced received",
                                        "traced sent labelled",
                                        "traced sent labelled"}));
    EXPECT_EQ(counter_serials, (std::vector<std::uint64_t>{1, 2}));
}

TEST_F(ObserverHttp, BadTraceRequestsGetClearErrors) {
    const pid traced = rt.spawn(idle);
    start(); // read-only
    EXPECT_EQ(client->Post("/api/trace?pid=" + pid_param(traced))->status, 403);
    view.reset();
    observer::options options;
    options.allow_actions = true;
    start(options);
    const std::string p = "/api/trace?pid=" + pid_param(traced);
    EXPECT_EQ(client->Post("/api/trace")->status, 400);
    EXPECT_EQ(client->Post(p + "&limit=0")->status, 400);
    EXPECT_EQ(client->Post(p + "&limit=100000")->status, 400);
    EXPECT_EQ(client->Post(p + "&messages=maybe")->status, 400);
    EXPECT_EQ(client->Post(p + "&messages=0&signals=0")->status, 400);
    EXPECT_EQ(client->Post(p + "&rate=x")->status, 400);
    EXPECT_EQ(client->Post(p + "&follow=2")->status, 400);
    EXPECT_EQ(client->Post("/api/trace?pid=%3C0.99999.0%3E")->status, 404);
    EXPECT_EQ(client->Post("/api/trace?name=nobody")->status, 404);
    (void)get_json("/api/trace/12345", 404);
    (void)get_json("/api/trace/x", 404);
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(client->Post(p)->status, 200);
    }
    EXPECT_EQ(client->Post(p)->status, 429); // bounded: eight at once
}

} // namespace
} // namespace rill
