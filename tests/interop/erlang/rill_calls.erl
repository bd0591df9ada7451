%% The BEAM side of the remote-call tests (tests/interop/beam_calls_test.cpp).
%% call_rill/1 calls functions the rill node registered (module `calc`) with
%% rpc:call, erpc:call, spawn/4, spawn_monitor/4, spawn_link/4 and through
%% rex (gen_server:call, rpc:block_call), checks
%% each result against what a BEAM node would give, reports the failed
%% checks to rill's `sink` and halts 0 when there are none. serve/1 is a
%% node for rill to call into: it reports `ready` and halts on `stop`.
-module(rill_calls).
-export([call_rill/1, serve/1, greet/1]).

-define(WAIT, 30000).

call_rill(RillNode) ->
    process_flag(trap_exit, true),
    Boom = {{exception, <<"std::runtime_error">>, <<"boom">>}, [{calc, fail, [], []}]},
    Checks =
        [{rpc_value, rpc:call(RillNode, calc, add, [1, 2]), 3},
         {erpc_value, erpc:call(RillNode, calc, add, [1, 2]), 3},
         {erpc_coroutine, erpc:call(RillNode, calc, reverse, [a, b]), [b, a]},
         {rpc_undef, rpc:call(RillNode, nosuch, f, [a]),
          {badrpc, {'EXIT', {undef, [{nosuch, f, [a], []}]}}}},
         {erpc_undef, caught(fun() -> erpc:call(RillNode, nosuch, f, [a]) end),
          {error, {exception, undef, [{nosuch, f, [a], []}]}}},
         {rpc_cpp_exception, rpc:call(RillNode, calc, fail, []), {badrpc, {'EXIT', Boom}}},
         {erpc_cpp_exception, caught(fun() -> erpc:call(RillNode, calc, fail, []) end),
          {error, {exception, element(1, Boom), element(2, Boom)}}},
         {rpc_throw, rpc:call(RillNode, calc, raise, [throw, oops]), oops},
         {erpc_throw, caught(fun() -> erpc:call(RillNode, calc, raise, [throw, oops]) end),
          {throw, oops}},
         {rpc_exit, rpc:call(RillNode, calc, raise, [exit, bye]), {badrpc, {'EXIT', bye}}},
         {erpc_exit, caught(fun() -> erpc:call(RillNode, calc, raise, [exit, bye]) end),
          {exit, {exception, bye}}},
         {erpc_error, caught(fun() -> erpc:call(RillNode, calc, raise, [error, bad]) end),
          {error, {exception, bad, [{calc, raise, [error, bad], []}]}}},
         {spawn_returns_a_rill_pid, node(spawn(RillNode, calc, add, [1, 2])), RillNode},
         {spawn_monitor_undef, spawn_monitor_reason(RillNode, nosuch, f, []),
          {undef, [{nosuch, f, [], []}]}},
         {spawn_link_exit, spawn_link_reason(RillNode, calc, raise, [exit, bye]), bye},
         %% rex, for the callers that still use it
         {rex_gen_call, gen_server:call({rex, RillNode}, {call, calc, add, [1, 2], user}), 3},
         {rpc_block_call, rpc:block_call(RillNode, calc, add, [1, 2]), 3},
         {rex_undef, gen_server:call({rex, RillNode}, {call, nosuch, f, [a], user}),
          {badrpc, {'EXIT', {undef, [{nosuch, f, [a], []}]}}}},
         {rex_after_garbage, rex_after_garbage(RillNode), 4}],
    Failed = [{Name, Got, Want} || {Name, Got, Want} <- Checks, Got =/= Want],
    [io:format("~p: got ~p, want ~p~n", [Name, Got, Want]) || {Name, Got, Want} <- Failed],
    rill_interop:report(RillNode, {called_rill, length(Checks), Failed}),
    halt(if Failed =:= [] -> 0; true -> 1 end).

%% rex drops what it does not understand and goes on.
rex_after_garbage(RillNode) ->
    {rex, RillNode} ! garbage,
    {rex, RillNode} ! {'$gen_call', not_a_from, {call, calc, add, [1, 1], user}},
    {rex, RillNode} ! {'$gen_call', {self(), tag}, {call, calc, add, not_a_list, user}},
    gen_server:call({rex, RillNode}, {call, calc, add, [2, 2], user}).

caught(F) ->
    try F() of Value -> {value, Value} catch Class:Reason -> {Class, Reason} end.

spawn_monitor_reason(Node, M, F, A) ->
    {Pid, Ref} = spawn_monitor(Node, M, F, A),
    receive {'DOWN', Ref, process, Pid, Reason} -> Reason after ?WAIT -> timeout end.

spawn_link_reason(Node, M, F, A) ->
    Pid = spawn_link(Node, M, F, A),
    receive {'EXIT', Pid, Reason} -> Reason after ?WAIT -> timeout end.

serve(RillNode) ->
    register(rill_calls, self()),
    {sink, RillNode} ! {report, self(), ready},
    receive stop -> halt(0) end.

%% Spawned by rill with dist::spawn: tells To who it is.
greet(To) ->
    To ! {greetings_from, self()}.
