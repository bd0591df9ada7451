#include "dist/node/remote_calls.hpp"

#include <rill/process/exit.hpp>
#include <rill/process/receive.hpp>

#include "core/demangle.hpp"

#include <exception>
#include <stdexcept>
#include <typeinfo>

namespace rill::dist {

erlang_exception::erlang_exception(atom exception_class, term reason)
    : std::runtime_error("erlang exception " + std::string(exception_class.name()) + ":" +
                         to_string(reason))
    , class_(exception_class)
    , reason_(std::move(reason)) {
    if (exception_class != atoms::error && exception_class != atom("exit") &&
        exception_class != atom("throw")) {
        throw std::invalid_argument("erlang_exception: the class is error, exit or throw, not " +
                                    std::string(exception_class.name()));
    }
}

} // namespace rill::dist

namespace rill::dist::internal {

void function_table::add(atom module, atom function, remote_coroutine f) {
    std::lock_guard lock(mutex_);
    functions_.insert_or_assign({module, function}, std::move(f));
}

std::optional<remote_coroutine> function_table::find(atom module, atom function) const {
    std::lock_guard lock(mutex_);
    auto found = functions_.find({module, function});
    if (found == functions_.end()) {
        return std::nullopt;
    }
    return found->second;
}

namespace {

const atom erpc{"erpc"};
const atom execute_call{"execute_call"};
const atom execute_cast{"execute_cast"};
const atom return_{"return"};
const atom exit_{"exit"};
const atom throw_{"throw"};
const atom undef{"undef"};
const atom nocatch{"nocatch"};

// The stack an Erlang caller sees for a failure in M:F(Args): one frame.
term stack_of(atom module, atom function, const term& args) {
    return term::list_of(term::tuple_of(module, function, args, term::list_of()));
}

} // namespace

task<call_outcome>
call_registered(const function_table& functions, atom module, atom function, term args) {
    using outcome = call_outcome;
    std::optional<remote_coroutine> f = functions.find(module, function);
    if (!f) {
        co_return outcome{atoms::error, term(undef)};
    }
    std::vector<term> arguments(args.list_elements().begin(), args.list_elements().end());
    try {
        term value = co_await (*f)(std::move(arguments));
        co_return outcome{return_, std::move(value)};
    } catch (const erlang_exception& e) {
        co_return outcome{e.exception_class(), e.reason()};
    } catch (const exit_exception& e) {
        co_return outcome{exit_, e.reason()}; // process::exit(reason): exit(Reason)
    } catch (const std::exception& e) {
        co_return outcome{atoms::error,
                          term::tuple_of(atoms::exception,
                                         term(rill::internal::demangle(typeid(e).name())),
                                         term(e.what()))};
    } catch (...) {
        co_return outcome{atoms::error, term(atoms::exception)};
    }
}

namespace {

// The well-formed arguments of erpc:execute_call/4 or execute_cast/3.
bool erpc_arguments(const spawn_request& request, std::size_t count) {
    const auto args = request.args.list_elements();
    if (args.size() != count) {
        return false;
    }
    const std::size_t m = count - 3;
    return args[m].is_atom() && args[m + 1].is_atom() && args[m + 2].is_list() &&
           args[m + 2].list_tail().is_nil();
}

} // namespace

task<> run_spawn_request(std::shared_ptr<const function_table> functions, spawn_request request) {
    (void)co_await process::receive_exact<spawn_go>();
    if (request.module == erpc && request.function == execute_call && erpc_arguments(request, 4)) {
        const auto args = request.args.list_elements();
        const term& res = args[0];
        const atom module = args[1].as_atom();
        const atom function = args[2].as_atom();
        call_outcome result = co_await call_registered(*functions, module, function, args[3]);
        if (result.how == atoms::error) {
            process::exit(term::tuple_of(
                res, atoms::error, result.value, stack_of(module, function, args[3])));
        }
        process::exit(term::tuple_of(res, result.how, result.value));
    }
    atom module = request.module;
    atom function = request.function;
    term args = request.args;
    if (request.module == erpc && request.function == execute_cast && erpc_arguments(request, 3)) {
        const auto cast = request.args.list_elements();
        module = cast[0].as_atom();
        function = cast[1].as_atom();
        args = cast[2];
    }
    call_outcome result = co_await call_registered(*functions, module, function, args);
    if (result.how == atoms::error) {
        process::exit(term::tuple_of(result.value, stack_of(module, function, args)));
    } else if (result.how == exit_) {
        process::exit(result.value);
    } else if (result.how == throw_) {
        process::exit(term::tuple_of(term::tuple_of(nocatch, result.value),
                                     stack_of(module, function, args)));
    }
}

term rpc_result(const call_outcome& outcome, atom module, atom function, const term& args) {
    static const atom badrpc{"badrpc"};
    if (outcome.how == return_ || outcome.how == throw_) {
        return outcome.value; // rpc returns a thrown value as the result
    }
    term why = outcome.how == atoms::error
                   ? term::tuple_of(outcome.value, stack_of(module, function, args))
                   : outcome.value;
    return term::tuple_of(badrpc, term::tuple_of(atoms::EXIT, std::move(why)));
}

} // namespace rill::dist::internal
