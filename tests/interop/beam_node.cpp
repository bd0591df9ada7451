#include "interop/beam_node.hpp"

#include <utility>

namespace rill::test {

namespace {

std::vector<std::string> erl_arguments(const std::string& name,
                                       std::string cookie,
                                       std::string expression,
                                       std::vector<std::string> extra) {
    std::vector<std::string> args = {"-sname",
                                     name + "@localhost",
                                     "-setcookie",
                                     std::move(cookie),
                                     "-hidden",
                                     "-noshell",
                                     "-kernel",
                                     "inet_dist_use_interface",
                                     "{127,0,0,1}"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.emplace_back("-eval");
    args.push_back(std::move(expression));
    return args;
}

} // namespace

bool erl_available() {
    return command_succeeds("erl -version >/dev/null 2>&1");
}

beam_node::beam_node(std::string name,
                     std::string cookie,
                     std::uint16_t epmd_port,
                     std::string expression,
                     std::vector<std::string> extra)
    : name_(std::move(name))
    , process_("erl",
               erl_arguments(name_, std::move(cookie), std::move(expression), std::move(extra)),
               {{"ERL_EPMD_PORT", std::to_string(epmd_port)}}) {}

} // namespace rill::test
