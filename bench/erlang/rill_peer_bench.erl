%% rill_peer_bench: the Erlang side of the workloads in BENCHMARKS.md, the
%% same workloads, parameters and RESULT keys as bench/rill_bench.cpp.
%%
%%   erlc -o DIR bench/erlang/rill_peer_bench.erl
%%   erl -noshell +S 2:2 +P 4194304 -pa DIR \
%%       -eval 'rill_peer_bench:main(["pingpong","1000000"])'
%%
%% Workloads (one per run, each in a fresh VM):
%%   spawn N | skynet LEAVES FANOUT | pingpong M | ring N LAPS | fanin K PER |
%%   linkstorm N [oldest|newest] | monitor PAIRS | selective QUEUED CALLS
%%
%% main/1 spawns one coordinator process (a plain process on the VM's own
%% schedulers), which times only the measured section with
%% erlang:monotonic_time/1, checks the result, and prints one line
%%
%%   RESULT sys=erlang bench=<name> workers=<schedulers online> <params> <measures>
%%
%% then halts the VM: status 0 on success, 1 when a check fails or the
%% coordinator ends abnormally (the reason goes to stderr, no RESULT line),
%% 64 for bad arguments.
%%
%% spawn's rss_bytes_per_proc is the OS resident-set delta read from
%% /proc/self/statm (as rill_bench reads it), after a 1 s settle;
%% mem_bytes_per_proc is the same delta of erlang:memory(total), for reference.
-module(rill_peer_bench).

-export([main/1]).

-define(EXIT_CHECK_FAILED, 1).
-define(EXIT_USAGE, 64).

%% -- entry point ------------------------------------------------------------

main(Args0) ->
    Args = [to_string(A) || A <- Args0],
    Status =
        try parse(Args) of
            {ok, Bench, Params} -> run_coordinator(Bench, Params);
            {usage, Why} -> usage(Why)
        catch
            Class:Reason:Stack ->
                io:format(standard_error, "rill_peer_bench: ~p:~p~n~p~n",
                          [Class, Reason, Stack]),
                ?EXIT_CHECK_FAILED
        end,
    halt(Status).

to_string(A) when is_atom(A) -> atom_to_list(A);
to_string(A) when is_integer(A) -> integer_to_list(A);
to_string(A) when is_list(A) -> A.

run_coordinator(Bench, Params) ->
    {Pid, Ref} = spawn_monitor(fun() -> coordinator(Bench, Params) end),
    receive
        {'DOWN', Ref, process, Pid, normal} ->
            0;
        {'DOWN', Ref, process, Pid, {check_failed, _}} ->
            ?EXIT_CHECK_FAILED;
        {'DOWN', Ref, process, Pid, Reason} ->
            io:format(standard_error, "rill_peer_bench: the coordinator ended with ~p~n",
                      [Reason]),
            ?EXIT_CHECK_FAILED
    end.

coordinator(spawn, [N]) -> spawn_bench(N);
coordinator(skynet, [Leaves, Fanout]) -> skynet_bench(Leaves, Fanout);
coordinator(pingpong, [M]) -> pingpong_bench(M);
coordinator(ring, [N, Laps]) -> ring_bench(N, Laps);
coordinator(fanin, [K, Per]) -> fanin_bench(K, Per);
coordinator(linkstorm, [N, Order]) -> linkstorm_bench(N, Order);
coordinator(monitor, [Pairs]) -> monitor_bench(Pairs);
coordinator(selective, [Queued, Calls]) -> selective_bench(Queued, Calls).

%% -- arguments --------------------------------------------------------------

parse([]) ->
    {usage, "no workload given"};
parse(["linkstorm", N]) ->
    parse(["linkstorm", N, "oldest"]);
parse(["linkstorm", N, Order]) when Order =:= "oldest"; Order =:= "newest" ->
    case positive(N) of
        error -> {usage, "'" ++ N ++ "' is not a positive integer"};
        Value -> {ok, linkstorm, [Value, list_to_atom(Order)]}
    end;
parse([Name | Params]) ->
    Arity = #{"spawn" => 1, "skynet" => 2, "pingpong" => 1, "ring" => 2,
              "fanin" => 2, "monitor" => 1, "selective" => 2},
    case maps:find(Name, Arity) of
        error ->
            {usage, "unknown workload '" ++ Name ++ "' or bad parameters"};
        {ok, A} when A =/= length(Params) ->
            {usage, Name ++ " takes " ++ integer_to_list(A) ++ " parameters"};
        {ok, _} ->
            Values = [positive(P) || P <- Params],
            case lists:member(error, Values) of
                true -> {usage, "the parameters must be positive integers"};
                false -> check_params(list_to_atom(Name), Values)
            end
    end.

check_params(skynet, [Leaves, Fanout]) ->
    case Fanout >= 2 andalso is_power_of(Leaves, Fanout) of
        true -> {ok, skynet, [Leaves, Fanout]};
        false -> {usage, "skynet: FANOUT must be >= 2 and LEAVES a power of FANOUT"}
    end;
check_params(Bench, Values) ->
    {ok, Bench, Values}.

positive(Text) ->
    try list_to_integer(Text) of
        V when V > 0 -> V;
        _ -> error
    catch
        error:badarg -> error
    end.

is_power_of(1, _) -> true;
is_power_of(V, B) when V rem B =:= 0 -> is_power_of(V div B, B);
is_power_of(_, _) -> false.

usage(Why) ->
    io:format(standard_error,
              "rill_peer_bench: ~s~n"
              "usage: erl -noshell +S 2:2 +P 4194304 -pa DIR -eval "
              "'rill_peer_bench:main([\"<workload>\", \"<param>\", ...])'~n"
              "  spawn N                     1000000~n"
              "  skynet LEAVES FANOUT        1000000 10~n"
              "  pingpong M                  1000000~n"
              "  ring N LAPS                 1000 1000, 100000 10~n"
              "  fanin K PER                 1000 1000~n"
              "  linkstorm N [oldest|newest] 100000, 30000~n"
              "  monitor PAIRS               1000000~n"
              "  selective QUEUED CALLS      10000 100000~n",
              [Why]),
    ?EXIT_USAGE.

%% -- helpers ----------------------------------------------------------------

now_ns() -> erlang:monotonic_time(nanosecond).

ms(Ns) -> Ns / 1.0e6.

%% Prints the RESULT line; Pairs is [{Key, Value}], floats with one decimal.
result(Bench, Pairs) ->
    Fields = [[" ", atom_to_list(K), "=", format_value(V)] || {K, V} <- Pairs],
    io:format("RESULT sys=erlang bench=~s workers=~b~s~n",
              [Bench, erlang:system_info(schedulers_online), Fields]).

format_value(V) when is_integer(V) -> integer_to_list(V);
format_value(V) when is_float(V) -> io_lib:format("~.1f", [V]);
format_value({round, V}) -> integer_to_list(round(V));
format_value({ratio, V}) -> io_lib:format("~.2f", [V]);
format_value(V) when is_atom(V) -> atom_to_list(V).

%% Ends the coordinator: the reason goes to stderr, main halts with 1.
fail(Format, Args) ->
    Text = lists:flatten(io_lib:format(Format, Args)),
    io:format(standard_error, "rill_peer_bench: check failed: ~s~n", [Text]),
    exit({check_failed, Text}).

%% Fails unless the mailbox is empty (no duplicated or stray message); waits
%% 1 ms, untimed, as rill_bench does.
expect_empty_mailbox(Bench) ->
    receive
        Stray ->
            fail("~s: a stray or duplicated message is left in the mailbox: ~p",
                 [Bench, Stray])
    after 1 ->
        ok
    end.

page_size() ->
    case string:to_integer(os:cmd("getconf PAGESIZE")) of
        {Size, _} when is_integer(Size), Size > 0 -> Size;
        _ -> 4096
    end.

resident_bytes(PageSize) ->
    {ok, Statm} = file:read_file("/proc/self/statm"),
    [_Size, Resident | _] = binary:split(Statm, <<" ">>, [global]),
    binary_to_integer(Resident) * PageSize.

%% -- 1. spawn N ---------------------------------------------------------------
%% Spawn N children keeping every pid; each waits for `go`, replies `done`,
%% exits.

spawn_child(Parent) ->
    receive
        go -> Parent ! done
    end.

spawn_loop(0, _Parent, Acc) ->
    Acc;
spawn_loop(N, Parent, Acc) ->
    Pid = spawn(fun() -> spawn_child(Parent) end),
    spawn_loop(N - 1, Parent, [Pid | Acc]).

send_go([]) -> ok;
send_go([Pid | Rest]) -> Pid ! go, send_go(Rest).

receive_done(0, Done) ->
    Done;
receive_done(N, Done) ->
    receive
        done -> receive_done(N - 1, Done + 1);
        _Other -> receive_done(N - 1, Done)
    end.

spawn_bench(N) ->
    PageSize = page_size(),
    Self = self(),
    garbage_collect(),
    RssBefore = resident_bytes(PageSize),
    MemBefore = erlang:memory(total),
    T0 = now_ns(),
    Newest = spawn_loop(N, Self, []), % every pid kept: counted in the delta
    T1 = now_ns(),
    timer:sleep(1000), % untimed settle: every child reaches its receive
    RssAfter = resident_bytes(PageSize),
    MemAfter = erlang:memory(total),
    Pids = lists:reverse(Newest), % untimed: `go` goes out in spawn order
    T2 = now_ns(),
    send_go(Pids),
    Done = receive_done(N, 0),
    T3 = now_ns(),
    Done =:= N orelse fail("spawn: ~b of ~b replies were `done`", [Done, N]),
    expect_empty_mailbox("spawn"),
    result(spawn, [{n, N}, {spawn_ms, ms(T1 - T0)}, {msg_exit_ms, ms(T3 - T2)},
                   {total_ms, ms(T1 - T0 + T3 - T2)},
                   {rss_bytes_per_proc, (RssAfter - RssBefore) div N},
                   {mem_bytes_per_proc, (MemAfter - MemBefore) div N}]).

%% -- 2. skynet LEAVES FANOUT ------------------------------------------------

skynet(Parent, Num, 1, _Fanout) ->
    Parent ! Num;
skynet(Parent, Num, Size, Fanout) ->
    Self = self(),
    ChildSize = Size div Fanout,
    spawn_children(Self, Num, ChildSize, Fanout, 0),
    Parent ! sum_replies(Fanout, 0).

spawn_children(_Self, _Num, _ChildSize, Fanout, Fanout) ->
    ok;
spawn_children(Self, Num, ChildSize, Fanout, I) ->
    Child = Num + I * ChildSize,
    spawn(fun() -> skynet(Self, Child, ChildSize, Fanout) end),
    spawn_children(Self, Num, ChildSize, Fanout, I + 1).

sum_replies(0, Sum) -> Sum;
sum_replies(N, Sum) -> receive X -> sum_replies(N - 1, Sum + X) end.

skynet_bench(Leaves, Fanout) ->
    Self = self(),
    T0 = now_ns(),
    spawn(fun() -> skynet(Self, 0, Leaves, Fanout) end),
    Sum = receive S -> S end,
    T1 = now_ns(),
    expect_empty_mailbox("skynet"),
    Expected = Leaves * (Leaves - 1) div 2,
    Sum =:= Expected orelse fail("skynet: sum ~p, expected ~b", [Sum, Expected]),
    result(skynet, [{leaves, Leaves}, {fanout, Fanout}, {result, Sum},
                    {total_ms, ms(T1 - T0)}]).

%% -- 3. pingpong M ----------------------------------------------------------
%% ping (the coordinator) sends 1, pong echoes every integer, ping sends i+1
%% until M; 0 stops pong after the measured section.

pong(Ping) ->
    receive
        0 -> ok;
        N -> Ping ! N, pong(Ping)
    end.

ping(Pong, Expected, M) ->
    receive
        N when N =:= Expected, N =:= M -> ok;
        N when N =:= Expected -> Pong ! N + 1, ping(Pong, N + 1, M);
        N -> fail("pingpong: got ~p, expected ~b", [N, Expected])
    end.

pingpong_bench(M) ->
    Self = self(),
    Pong = spawn(fun() -> pong(Self) end),
    T0 = now_ns(),
    Pong ! 1,
    ping(Pong, 1, M),
    T1 = now_ns(),
    Pong ! 0,
    expect_empty_mailbox("pingpong"),
    Ns = T1 - T0,
    result(pingpong, [{m, M}, {total_ms, ms(Ns)}, {rtt_ns, Ns / M},
                      {msgs_per_s, {round, 2 * M / (Ns / 1.0e9)}}]).

%% -- 4. ring N LAPS ---------------------------------------------------------
%% node i forwards h-1 to node i+1 (the last to the first); the node that
%% receives 0 tells the coordinator; a negative token is passed on and stops
%% each node.

ring_node(Coord) ->
    receive
        {next, Next} -> ring_loop(Coord, Next)
    end.

ring_loop(Coord, Next) ->
    receive
        H when H > 0 -> Next ! H - 1, ring_loop(Coord, Next);
        0 -> Coord ! lap_done, ring_loop(Coord, Next);
        H -> Next ! H
    end.

spawn_ring(0, _Coord, Acc) -> lists:reverse(Acc);
spawn_ring(N, Coord, Acc) -> spawn_ring(N - 1, Coord, [spawn(fun() -> ring_node(Coord) end) | Acc]).

link_ring([First | _] = Nodes) -> link_ring(Nodes, First).
link_ring([Last], First) -> Last ! {next, First};
link_ring([Node | [Next | _] = Rest], First) -> Node ! {next, Next}, link_ring(Rest, First).

run_token(First, Hops) ->
    First ! Hops,
    receive
        lap_done -> ok;
        Other -> fail("ring: unexpected message to the coordinator: ~p", [Other])
    end.

ring_bench(N, Laps) ->
    Self = self(),
    T0 = now_ns(),
    Nodes = spawn_ring(N, Self, []),
    link_ring(Nodes),
    T1 = now_ns(),
    First = hd(Nodes),
    run_token(First, N), % untimed warm-up lap
    Hops = N * Laps,
    T2 = now_ns(),
    run_token(First, Hops),
    T3 = now_ns(),
    First ! -1,
    expect_empty_mailbox("ring"),
    Ns = T3 - T2,
    result(ring, [{n, N}, {laps, Laps}, {setup_ms, ms(T1 - T0)}, {hops_ms, ms(Ns)},
                  {ns_per_hop, Ns / Hops}, {hops_per_s, {round, Hops / (Ns / 1.0e9)}}]).

%% -- 5. fanin K PER ---------------------------------------------------------
%% K senders, spawned untimed, wait for `go`, then each sends 1..PER to the
%% coordinator. The coordinator keeps its message queue off its heap
%% ({message_queue_data, off_heap}), as Erlang's documentation advises for a
%% process that many processes send to: senders do not take the receiver's
%% main lock, and the queue is not copied by its garbage collections.

fanin_sender(Receiver, Per) ->
    receive
        go -> send_numbers(Receiver, 1, Per)
    end.

send_numbers(_Receiver, I, Per) when I > Per -> ok;
send_numbers(Receiver, I, Per) -> Receiver ! I, send_numbers(Receiver, I + 1, Per).

sum_numbers(0, Sum) -> Sum;
sum_numbers(N, Sum) -> receive X -> sum_numbers(N - 1, Sum + X) end.

fanin_bench(K, Per) ->
    process_flag(message_queue_data, off_heap),
    Self = self(),
    Senders = [spawn(fun() -> fanin_sender(Self, Per) end) || _ <- lists:seq(1, K)],
    Total = K * Per,
    T0 = now_ns(),
    send_go(Senders),
    Sum = sum_numbers(Total, 0),
    T1 = now_ns(),
    Expected = K * (Per * (Per + 1) div 2),
    Sum =:= Expected orelse
        fail("fanin: sum of the messages ~b, expected ~b (lost or duplicated messages)",
             [Sum, Expected]),
    expect_empty_mailbox("fanin"),
    Ns = T1 - T0,
    result(fanin, [{k, K}, {per, Per}, {total_ms, ms(Ns)},
                   {msgs_per_s, {round, Total / (Ns / 1.0e9)}}]).

%% -- 6. linkstorm N ORDER ---------------------------------------------------
%% The coordinator traps exits and spawn_links N workers; untimed, each tells
%% it `ready` and blocks in receive. Timed: exit(W, kill) to every worker,
%% oldest first (or newest first), then N {'EXIT', W, killed} received.
%% Untimed: every worker sent exactly one.

ready_then_block(Coord) ->
    Coord ! ready,
    receive
        _ -> ok
    end.

spawn_linked(0, _Coord, Acc) ->
    Acc;
spawn_linked(N, Coord, Acc) ->
    spawn_linked(N - 1, Coord, [spawn_link(fun() -> ready_then_block(Coord) end) | Acc]).

await_ready(0) -> ok;
await_ready(N) -> receive ready -> await_ready(N - 1) end.

kill_all([]) -> ok;
kill_all([W | Rest]) -> exit(W, kill), kill_all(Rest).

collect_exits(0, NotKilled, Exited) ->
    {NotKilled, Exited};
collect_exits(N, NotKilled, Exited) ->
    receive
        {'EXIT', W, killed} -> collect_exits(N - 1, NotKilled, [W | Exited]);
        {'EXIT', W, _Other} -> collect_exits(N - 1, NotKilled + 1, [W | Exited])
    end.

linkstorm_bench(N, Order) ->
    process_flag(trap_exit, true),
    Self = self(),
    T0 = now_ns(),
    Newest = spawn_linked(N, Self, []),
    T1 = now_ns(),
    await_ready(N),
    Workers = case Order of
                  oldest -> lists:reverse(Newest);
                  newest -> Newest
              end,
    T2 = now_ns(),
    kill_all(Workers),
    {NotKilled, Exited} = collect_exits(N, 0, []),
    T3 = now_ns(),
    NotKilled =:= 0 orelse
        fail("linkstorm: ~b of ~b exit signals carry a reason other than `killed`",
             [NotKilled, N]),
    lists:sort(Exited) =:= lists:sort(Workers) orelse
        fail("linkstorm: an exit signal from a stranger, or two from one worker", []),
    expect_empty_mailbox("linkstorm"),
    KillNs = T3 - T2,
    result(linkstorm, [{n, N}, {order, Order}, {spawn_link_ms, ms(T1 - T0)},
                       {kill_ms, ms(KillNs)}, {exits_per_s, {round, N / (KillNs / 1.0e9)}}]).

%% -- 7. monitor PAIRS -------------------------------------------------------
%% monitor + demonitor of one live idle process, PAIRS times. Untimed before:
%% the target runs and waits in receive; after: neither side holds a monitor,
%% no 'DOWN' is queued, and a last monitor still fires when the target ends.

idle(Coord) ->
    Coord ! ready,
    receive
        stop -> ok
    end.

monitor_loop(_Pid, 0) ->
    ok;
monitor_loop(Pid, N) ->
    Ref = erlang:monitor(process, Pid),
    true = erlang:demonitor(Ref),
    monitor_loop(Pid, N - 1).

monitor_bench(Pairs) ->
    Self = self(),
    Pid = spawn(fun() -> idle(Self) end),
    receive ready -> ok end,
    T0 = now_ns(),
    monitor_loop(Pid, Pairs),
    T1 = now_ns(),
    {monitored_by, []} = erlang:process_info(Pid, monitored_by),
    {monitors, []} = erlang:process_info(self(), monitors),
    expect_empty_mailbox("monitor"), % no 'DOWN' left behind
    Last = erlang:monitor(process, Pid),
    Pid ! stop,
    receive
        {'DOWN', Last, process, Pid, normal} -> ok;
        Other -> fail("monitor: the last monitor did not fire with `normal`: ~p", [Other])
    end,
    expect_empty_mailbox("monitor"),
    Ns = T1 - T0,
    result(monitor, [{pairs, Pairs}, {total_ms, ms(Ns)}, {ns_per_pair, Ns / Pairs}]).

%% -- 8. selective QUEUED CALLS ----------------------------------------------
%% Call/reply round trips to a server, the reply matched by reference, first
%% with an empty mailbox, then with QUEUED unrelated messages queued in front
%% of every reply. make_ref() followed by a receive matching that reference,
%% in one function, lets the compiler mark the queue (recv_marker_reserve /
%% recv_marker_bind), so the receive skips the messages queued before it.
%% The coordinator keeps its queue off its heap ({message_queue_data,
%% off_heap}, the documented setting for a process with a long queue): on the
%% heap, the QUEUED messages are roots that every minor garbage collection
%% scans, and that alone made a call 9-14x slower with 10,000 queued (measured
%% with OTP 25: ~7-10 us against ~0.6-1.3 us off the heap).

call_server() ->
    receive
        {call, From, Ref, X} -> From ! {Ref, X + 1}, call_server();
        stop -> ok
    end.

calls(_Server, N, N) ->
    ok;
calls(Server, I, N) ->
    Ref = make_ref(),
    Server ! {call, self(), Ref, I},
    receive
        {Ref, Value} ->
            Value =:= I + 1 orelse fail("selective: call ~b got ~p", [I, Value]),
            calls(Server, I + 1, N)
    end.

%% Makes N calls to Server; returns the time per call in ns.
timed_calls(Server, N) ->
    T0 = now_ns(),
    calls(Server, 0, N),
    (now_ns() - T0) / N.

queue_numbers(N, N) -> ok;
queue_numbers(I, N) -> self() ! I, queue_numbers(I + 1, N).

check_queued(N, N) ->
    ok;
check_queued(I, N) ->
    receive
        I -> check_queued(I + 1, N);
        Other -> fail("selective: queued message ~b is ~p", [I, Other])
    end.

selective_bench(Queued, Calls) ->
    process_flag(message_queue_data, off_heap),
    Server = spawn(fun call_server/0),
    timed_calls(Server, min(Calls, 1000)), % untimed warm-up
    EmptyNs = timed_calls(Server, Calls),
    queue_numbers(0, Queued),
    LoadedNs = timed_calls(Server, Calls),
    check_queued(0, Queued), % the unrelated messages are all there, in order
    Server ! stop,
    expect_empty_mailbox("selective"),
    result(selective, [{queued, Queued}, {calls, Calls}, {ns_per_call, LoadedNs},
                       {ns_per_call_empty, EmptyNs}, {ratio, {ratio, LoadedNs / EmptyNs}}]).
