%% Oracle for OTP 25 supervisor / gen_server behaviour: the cases
%% tests/otp/supervisor_test.cpp and gen_server_test.cpp check on rill,
%% each C++ test named after its case here. What OTP 25 printed is in
%% supervisor_oracle.out next to this file. Run:
%%   erlc -o /tmp tests/otp/erlang/supervisor_oracle.erl
%%   erl -noshell -pa /tmp -s supervisor_oracle main -s init stop
%%
%% This single module is the supervisor callback (init({sup, Ret}) -> Ret),
%% the worker gen_server callback (init({worker, Name, Opts})), and the test
%% driver. Every case runs in its own fresh process that traps exits.
%% Pids in printed terms are replaced by labels (see norm/2); unknown pids
%% are printed as 'PID'.
-module(supervisor_oracle).

-export([main/0]).
-compile(export_all).
-compile(nowarn_export_all).
%% callbacks
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).
%% start functions
-export([start_worker/2, start_worker_sofo/2]).

%%%===================================================================
%%% Callbacks
%%%===================================================================

init({sup, Ret}) ->
    Ret;
init({worker, Name, Opts}) ->
    Test = maps:get(test, Opts),
    case maps:get(trap, Opts, false) of
        true -> process_flag(trap_exit, true);
        false -> ok
    end,
    case maps:get(watch, Opts, false) of
        true -> watch(Name, Test);
        false -> ok
    end,
    case maps:get(init, Opts, ok) of
        ok ->
            Test ! {started, Name, self()},
            {ok, #{name => Name, test => Test, opts => Opts}};
        ignore ->
            Test ! {init_ignore, Name, self()},
            ignore;
        {stop, R} ->
            Test ! {init_stop, Name, self()},
            {stop, R};
        {error, R} ->
            erlang:error(R);
        {exit, R} ->
            exit(R);
        {throw, R} ->
            throw(R)
    end.

handle_call({sleep, Ms, Reply}, _From, S) ->
    timer:sleep(Ms),
    {reply, Reply, S};
handle_call(self_call, _From, S) ->
    R = gen_server:call(self(), x),
    {reply, R, S};
handle_call({exit, R}, _From, _S) ->
    exit(R);
handle_call(ping, _From, S) ->
    {reply, pong, S}.

handle_cast({stop, R}, S) ->
    {stop, R, S}.

handle_info(_Msg, S) ->
    {noreply, S}.

terminate(R, #{name := N, test := T, opts := O}) ->
    T ! {terminated, N, R, self()},
    timer:sleep(maps:get(term_sleep, O, 0)),
    ok.

start_worker(Name, Opts) ->
    gen_server:start_link(?MODULE, {worker, Name, Opts}, []).

%% simple_one_for_one: extra arg appended: Name | {Name, ExtraOpts}
start_worker_sofo(Opts, {Name, Extra}) ->
    gen_server:start_link(?MODULE, {worker, Name, maps:merge(Opts, Extra)}, []);
start_worker_sofo(Opts, Name) ->
    gen_server:start_link(?MODULE, {worker, Name, Opts}, []).

watch(Name, Test) ->
    Self = self(),
    W = spawn(fun() ->
                      Ref = monitor(process, Self),
                      Self ! {watching, self()},
                      receive
                          {'DOWN', Ref, process, _, R} ->
                              Test ! {down, Name, Self, R}
                      end
              end),
    receive {watching, W} -> ok end.

%%%===================================================================
%%% Helpers
%%%===================================================================

spec(Id, Opts) -> spec(Id, Opts, #{}).
spec(Id, Opts, Extra) ->
    maps:merge(#{id => Id,
                 start => {?MODULE, start_worker, [Id, Opts#{test => self()}]}},
               Extra).

start_sup(Flags, Specs) ->
    supervisor:start_link(?MODULE, {sup, {ok, {Flags, Specs}}}).

crash(Pid, Reason) -> gen_server:cast(Pid, {stop, Reason}).

wait_started(Name) -> wait_started(Name, 1000).
wait_started(Name, T) ->
    receive {started, Name, P} -> P after T -> none end.

wait_down(Ref) ->
    receive {'DOWN', Ref, process, _, R} -> R after 3000 -> no_down end.

%% collect all messages until the mailbox stays quiet for Ms ms
collect(Ms) ->
    receive M -> [M | collect(Ms)] after Ms -> [] end.

events(Msgs) ->
    [ev(M) || M <- Msgs].
ev({started, N, _}) -> {started, N};
ev({terminated, N, R, _}) -> {terminated, N, R};
ev({down, N, _, R}) -> {down, N, R};
ev({init_ignore, N, _}) -> {init_ignore, N};
ev({init_stop, N, _}) -> {init_stop, N};
ev(M) -> M.

%% replace pids with labels
norm(T, L) when is_pid(T) ->
    case lists:keyfind(T, 1, L) of
        {_, Label} -> Label;
        false -> 'PID'
    end;
norm(T, L) when is_list(T) -> [norm(E, L) || E <- T];
norm(T, L) when is_tuple(T) -> list_to_tuple(norm(tuple_to_list(T), L));
norm(T, L) when is_map(T) -> maps:from_list(norm(maps:to_list(T), L));
norm(T, _) -> T.

ms_since(T0) -> erlang:monotonic_time(millisecond) - T0.
now_ms() -> erlang:monotonic_time(millisecond).

stop_sup(Sup) ->
    unlink(Sup),
    Ref = monitor(process, Sup),
    exit(Sup, shutdown),
    wait_down(Ref),
    collect(20),
    ok.

%%%===================================================================
%%% Driver
%%%===================================================================

main() ->
    logger:set_primary_config(level, none),
    Cases = [init_duplicate_id,
             init_child_fails,
             init_child_fails_trapping,
             init_child_ignore,
             intensity_default,
             intensity_boundary,
             intensity_boundary_1900,
             intensity_boundary_2100,
             intensity_zero,
             transient_normal,
             transient_shutdown,
             transient_shutdown_tuple,
             transient_abnormal,
             permanent_normal,
             temporary_crash,
             temporary_normal,
             shutdown_order,
             one_for_all,
             rest_for_one,
             rest_for_one_last,
             simple_one_for_one,
             simple_one_for_one_ignore,
             one_for_one_child_ops,
             temporary_child_ops,
             start_child_duplicate,
             start_child_error,
             brutal_kill,
             shutdown_timeout,
             shutdown_prompt,
             shutdown_infinity_worker,
             which_children_exact,
             get_childspec_defaults,
             gen_server_late_reply,
             gen_server_call_self,
             gen_server_call_crash,
             gen_server_stop_terminate,
             gen_server_start_init_crash,
             gen_server_start_init_exit,
             gen_server_start_init_throw,
             gen_server_start_init_stop,
             gen_server_start_init_ignore],
    [run(C) || C <- Cases],
    ok.

run(Case) ->
    Parent = self(),
    {Pid, Ref} =
        spawn_monitor(fun() ->
                              process_flag(trap_exit, true),
                              R = try ?MODULE:Case() of
                                      V -> V
                                  catch C:E:St -> {case_crashed, C, E, St}
                                  end,
                              Parent ! {self(), result, R}
                      end),
    receive
        {Pid, result, R} -> io:format("~s: ~0p~n", [Case, R])
    after 20000 ->
            io:format("~s: CASE_TIMEOUT~n", [Case])
    end,
    receive {'DOWN', Ref, process, Pid, _} -> ok end,
    %% let linked supervisors shut down before the next case
    timer:sleep(50).


%%%===================================================================
%%% Cases
%%%===================================================================

%% 1
init_duplicate_id() ->
    R = start_sup(#{}, [spec(a, #{}), spec(a, #{})]),
    Exit = receive {'EXIT', _, E} -> {exit_msg, E} after 200 -> no_exit_msg end,
    {start_link, R, Exit, other_msgs, events(collect(100))}.

%% 2 first child does not trap exits; observe with a watcher monitor
init_child_fails() ->
    R = start_sup(#{}, [spec(a, #{watch => true}),
                        spec(b, #{init => {stop, oops}}),
                        spec(c, #{})]),
    Exit = receive {'EXIT', _, E} -> {exit_msg, E} after 200 -> no_exit_msg end,
    {start_link, R, Exit, events, events(collect(200))}.

%% 2b first child traps exits: terminate/2 reason
init_child_fails_trapping() ->
    R = start_sup(#{}, [spec(a, #{trap => true, watch => true}),
                        spec(b, #{init => {stop, oops}})]),
    Exit = receive {'EXIT', _, E} -> {exit_msg, E} after 200 -> no_exit_msg end,
    {start_link, R, Exit, events, events(collect(200))}.

%% 3
init_child_ignore() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{init => ignore}), spec(b, #{})]),
    Pb = wait_started(b),
    L = [{Pb, pb}],
    WC = norm(supervisor:which_children(Sup), L),
    CC = supervisor:count_children(Sup),
    RC = supervisor:restart_child(Sup, a),
    WC2 = norm(supervisor:which_children(Sup), L),
    TC = supervisor:terminate_child(Sup, a),
    DC = supervisor:delete_child(Sup, a),
    Ev = events(collect(50)),
    stop_sup(Sup),
    {which_children, WC, count_children, CC,
     restart_ignored, RC, which_children_after, WC2,
     terminate_ignored, TC, delete_ignored, DC, events, Ev}.

%% 4
intensity_default() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{})]),
    P1 = wait_started(a),
    crash(P1, boom),
    P2 = wait_started(a),
    Restarted = is_pid(P2) andalso P2 =/= P1,
    crash(P2, boom),
    Exit = receive {'EXIT', Sup, R} -> {'EXIT', sup, R} after 1000 -> no_exit end,
    P3 = wait_started(a, 200),
    {first_crash_restarted, Restarted, second_crash, Exit,
     sup_alive, is_process_alive(Sup), third_start, P3}.

%% 5 intensity 1 period 1. Restart timestamps are erlang:monotonic_time(second),
%% so to be deterministic we align the first crash to ~20 ms after a
%% monotonic-second tick and then place the 2nd crash GapMs later.
align_second() ->
    S0 = erlang:monotonic_time(second),
    wait_tick(S0),
    timer:sleep(20).
wait_tick(S0) ->
    case erlang:monotonic_time(second) of
        S0 -> timer:sleep(1), wait_tick(S0);
        _ -> ok
    end.

intensity_gap(GapMs) ->
    {ok, Sup} = start_sup(#{intensity => 1, period => 1}, [spec(a, #{})]),
    P1 = wait_started(a),
    align_second(),
    T0 = now_ms(),
    S1 = erlang:monotonic_time(second),
    crash(P1, boom),
    P2 = wait_started(a),
    timer:sleep(max(0, GapMs - ms_since(T0))),
    S2 = erlang:monotonic_time(second),
    crash(P2, boom),
    P3 = wait_started(a, 300),
    Exit = receive {'EXIT', Sup, R} -> {'EXIT', sup, R} after 0 -> no_exit end,
    Res = {gap_ms, GapMs, monotonic_second_diff, S2 - S1,
           restarted1, is_pid(P2), restarted2, is_pid(P3), exit, Exit,
           sup_alive, is_process_alive(Sup)},
    case is_process_alive(Sup) of true -> stop_sup(Sup); false -> ok end,
    Res.

intensity_boundary() -> intensity_gap(1100).
intensity_boundary_1900() -> intensity_gap(1900).
intensity_boundary_2100() -> intensity_gap(2100).

intensity_zero() ->
    {ok, Sup} = start_sup(#{intensity => 0, period => 5}, [spec(a, #{})]),
    P1 = wait_started(a),
    crash(P1, boom),
    Exit = receive {'EXIT', Sup, R} -> {'EXIT', sup, R} after 1000 -> no_exit end,
    P2 = wait_started(a, 200),
    {exit, Exit, restarted, P2, sup_alive, is_process_alive(Sup)}.

%% 6
transient(Reason) ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{}, #{restart => transient})]),
    P1 = wait_started(a),
    crash(P1, Reason),
    P2 = wait_started(a, 300),
    L = [{P1, old_pid}] ++ [{P2, new_pid} || is_pid(P2)],
    WC = norm(supervisor:which_children(Sup), L),
    CC = supervisor:count_children(Sup),
    Exit = receive {'EXIT', Sup, R} -> {'EXIT', sup, R} after 0 -> no_exit end,
    stop_sup(Sup),
    {restarted, is_pid(P2), which_children, WC, count_children, CC, sup_exit, Exit}.

transient_normal() -> transient(normal).
transient_shutdown() -> transient(shutdown).
transient_shutdown_tuple() -> transient({shutdown, x}).
transient_abnormal() -> transient(boom).

permanent_normal() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{})]),
    P1 = wait_started(a),
    crash(P1, normal),
    P2 = wait_started(a, 300),
    stop_sup(Sup),
    {restarted, is_pid(P2) andalso P2 =/= P1}.

%% 7
temporary(Reason) ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{}, #{restart => temporary}),
                                spec(b, #{})]),
    P1 = wait_started(a),
    Pb = wait_started(b),
    Ref = monitor(process, P1),
    crash(P1, Reason),
    D = wait_down(Ref),
    timer:sleep(50),
    P2 = wait_started(a, 100),
    WC = norm(supervisor:which_children(Sup), [{Pb, pb}]),
    CC = supervisor:count_children(Sup),
    stop_sup(Sup),
    {down, D, restarted, P2, which_children, WC, count_children, CC}.

temporary_crash() -> temporary(boom).
temporary_normal() -> temporary(normal).

%% 8
shutdown_order() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{trap => true}),
                                spec(b, #{trap => true}),
                                spec(c, #{trap => true})]),
    _ = [wait_started(N) || N <- [a, b, c]],
    unlink(Sup),
    Ref = monitor(process, Sup),
    exit(Sup, shutdown),
    D = wait_down(Ref),
    Ev = events(collect(100)),
    {events, Ev, sup_down_reason, D}.

%% 9/10
strategy_crash(Strategy, Victim) ->
    {ok, Sup} = start_sup(#{strategy => Strategy},
                          [spec(a, #{trap => true}),
                           spec(b, #{trap => true}),
                           spec(c, #{trap => true})]),
    Old = [{N, wait_started(N)} || N <- [a, b, c]],
    {Victim, Pv} = lists:keyfind(Victim, 1, Old),
    crash(Pv, boom),
    Msgs = collect(200),
    New = [{N, P} || {started, N, P} <- Msgs],
    Changed = [{N, case lists:keyfind(N, 1, New) of
                       {N, NP} when NP =/= OP -> new_pid;
                       _ -> same_pid
                   end} || {N, OP} <- Old],
    L = [{P, {old, N}} || {N, P} <- Old] ++ [{P, {new, N}} || {N, P} <- New],
    WC = norm(supervisor:which_children(Sup), L),
    stop_sup(Sup),
    {events, events(Msgs), pids, Changed, which_children, WC}.

one_for_all() -> strategy_crash(one_for_all, b).
rest_for_one() -> strategy_crash(rest_for_one, b).
rest_for_one_last() -> strategy_crash(rest_for_one, c).

%% 11
simple_one_for_one() ->
    Spec = #{id => w, start => {?MODULE, start_worker_sofo, [#{test => self()}]}},
    {ok, Sup} = start_sup(#{strategy => simple_one_for_one}, [Spec]),
    R1 = supervisor:start_child(Sup, [c1]),
    R2 = supervisor:start_child(Sup, [c2]),
    R3 = supervisor:start_child(Sup, [c3]),
    {ok, P1} = R1, {ok, P2} = R2, {ok, P3} = R3,
    [P1, P2, P3] = [wait_started(N) || N <- [c1, c2, c3]],
    Dead = spawn(fun() -> ok end),
    DRef = monitor(process, Dead), wait_down(DRef),
    T5 = supervisor:terminate_child(Sup, Dead),
    L = [{P1, p1}, {P2, p2}, {P3, p3}],
    WC = norm(supervisor:which_children(Sup), L),
    CC = supervisor:count_children(Sup),
    Ref = monitor(process, P2),
    T1 = supervisor:terminate_child(Sup, P2),
    D2 = wait_down(Ref),
    T2 = supervisor:terminate_child(Sup, some_id),
    T3 = supervisor:terminate_child(Sup, P2),
    T4 = supervisor:terminate_child(Sup, self()),
    RC = supervisor:restart_child(Sup, some_id),
    RC2 = supervisor:restart_child(Sup, P1),
    DC = supervisor:delete_child(Sup, some_id),
    DC2 = supervisor:delete_child(Sup, P1),
    GC = supervisor:get_childspec(Sup, P1),
    GC2 = supervisor:get_childspec(Sup, some_id),
    WC2 = norm(supervisor:which_children(Sup), L),
    CC2 = supervisor:count_children(Sup),
    %% crash p1 (permanent by default) -> restarted?
    crash(P1, boom),
    P1b = wait_started(c1, 300),
    L2 = L ++ [{P1b, p1_restarted} || is_pid(P1b)],
    WC3 = norm(supervisor:which_children(Sup), L2),
    stop_sup(Sup),
    norm({start_child, [R1, R2, R3],
          which_children, WC, count_children, CC,
          terminate_child_pid, T1, down_reason, D2,
          terminate_child_id, T2,
          terminate_child_dead_pid, T3,
          terminate_child_unknown_live_pid, T4,
          terminate_child_never_child_dead_pid, T5,
          restart_child_id, RC, restart_child_pid, RC2,
          delete_child_id, DC, delete_child_pid, DC2,
          get_childspec_pid, GC, get_childspec_id, GC2,
          which_children_after, WC2, count_children_after, CC2,
          after_crash_p1_which_children, WC3}, L2).

simple_one_for_one_ignore() ->
    Spec = #{id => w, start => {?MODULE, start_worker_sofo, [#{test => self()}]}},
    {ok, Sup} = start_sup(#{strategy => simple_one_for_one}, [Spec]),
    R1 = supervisor:start_child(Sup, [{i1, #{init => ignore}}]),
    R2 = supervisor:start_child(Sup, [{s1, #{init => {stop, bad}}}]),
    R3 = supervisor:start_child(Sup, [{e1, #{init => {error, badarg}}}]),
    WC = supervisor:which_children(Sup),
    CC = supervisor:count_children(Sup),
    stop_sup(Sup),
    {ignore, R1, stop, R2, error_badarg, R3, which_children, WC, count_children, CC}.

%% 12
one_for_one_child_ops() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{}), spec(b, #{})]),
    Pa = wait_started(a),
    Pb = wait_started(b),
    T1 = supervisor:terminate_child(Sup, a),
    WC1 = supervisor:which_children(Sup),
    CC1 = supervisor:count_children(Sup),
    R1 = supervisor:restart_child(Sup, a),
    Pa2 = wait_started(a),
    R2 = supervisor:restart_child(Sup, a),
    D1 = supervisor:delete_child(Sup, a),
    T2 = supervisor:terminate_child(Sup, a),
    T2b = supervisor:terminate_child(Sup, a),
    D2 = supervisor:delete_child(Sup, a),
    D3 = supervisor:delete_child(Sup, unknown),
    T3 = supervisor:terminate_child(Sup, unknown),
    R3 = supervisor:restart_child(Sup, unknown),
    %% terminate by pid on one_for_one
    T4 = supervisor:terminate_child(Sup, Pb),
    WC2 = supervisor:which_children(Sup),
    T5 = supervisor:terminate_child(Sup, self()),
    L = [{Pa, pa}, {Pa2, pa2}, {Pb, pb}],
    stop_sup(Sup),
    norm({terminate_existing, T1, which_children_after_terminate, WC1,
          count_children_after_terminate, CC1,
          restart_terminated, R1, restart_running, R2,
          delete_running, D1, terminate_again, T2,
          terminate_already_terminated, T2b, delete_terminated, D2,
          delete_unknown, D3, terminate_unknown, T3, restart_unknown, R3,
          terminate_by_pid, T4, which_children_after_pid_terminate, WC2,
          terminate_unknown_pid, T5}, L).

temporary_child_ops() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{}, #{restart => temporary})]),
    _ = wait_started(a),
    T1 = supervisor:terminate_child(Sup, a),
    WC = supervisor:which_children(Sup),
    R1 = supervisor:restart_child(Sup, a),
    D1 = supervisor:delete_child(Sup, a),
    stop_sup(Sup),
    {terminate, T1, which_children, WC, restart, R1, delete, D1}.

%% 13
start_child_duplicate() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{})]),
    Pa = wait_started(a),
    S1 = supervisor:start_child(Sup, spec(a, #{})),
    ok = supervisor:terminate_child(Sup, a),
    S2 = supervisor:start_child(Sup, spec(a, #{})),
    %% tuple-format spec too
    S3 = supervisor:start_child(Sup, {a, {?MODULE, start_worker, [a, #{test => self()}]},
                                      permanent, 5000, worker, [?MODULE]}),
    Ev = events(collect(50)),
    stop_sup(Sup),
    norm({running, S1, terminated, S2, terminated_tuple_spec, S3, events, Ev},
         [{Pa, pa}]).

%% 14
start_child_error() ->
    {ok, Sup} = start_sup(#{}, []),
    S1 = supervisor:start_child(Sup, spec(x, #{init => {stop, bad}})),
    S2 = supervisor:start_child(Sup, spec(y, #{init => {error, badarg}})),
    S3 = supervisor:start_child(Sup, spec(z, #{init => {exit, bye}})),
    S4 = supervisor:start_child(Sup, spec(t, #{init => {throw, thrown}})),
    S5 = supervisor:start_child(Sup, spec(i, #{init => ignore})),
    S6 = supervisor:start_child(Sup, #{id => bad_mfa, start => {no_such_mod, f, []}}),
    S7 = supervisor:start_child(Sup, #{id => bad_spec, start => notmfa}),
    S8 = supervisor:start_child(Sup, #{id => ret_atom,
                                       start => {erlang, list_to_atom, ["foo"]}}),
    WC = supervisor:which_children(Sup),
    Exit = receive {'EXIT', _, E} -> {exit_msg, E} after 50 -> no_exit_msg end,
    stop_sup(Sup),
    norm({stop_bad, S1, error_badarg, S2, exit_bye, S3, throw_thrown, S4,
          ignore, S5, undef_module, S6, bad_spec, S7, start_returns_atom, S8,
          which_children_after, WC, test_exit_msgs, Exit}, [{self(), test_pid}]).

%% 15
brutal_kill() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{trap => true}, #{shutdown => brutal_kill})]),
    Pa = wait_started(a),
    Ref = monitor(process, Pa),
    T = supervisor:terminate_child(Sup, a),
    D = wait_down(Ref),
    Ev = events(collect(50)),
    stop_sup(Sup),
    {terminate_child, T, down_reason, D, events, Ev}.

%% 16
shutdown_timeout() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{trap => true, term_sleep => 500},
                                     #{shutdown => 100})]),
    Pa = wait_started(a),
    Ref = monitor(process, Pa),
    T0 = now_ms(),
    T = supervisor:terminate_child(Sup, a),
    Elapsed = ms_since(T0),
    D = wait_down(Ref),
    Ev = events(collect(50)),
    stop_sup(Sup),
    {terminate_child, T, down_reason, D,
     elapsed_ms_rounded_to_50, round(Elapsed / 50) * 50, events, Ev}.

shutdown_prompt() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{trap => true}, #{shutdown => 100}),
                                spec(b, #{}, #{shutdown => 100})]),
    Pa = wait_started(a),
    Pb = wait_started(b),
    Ra = monitor(process, Pa),
    Rb = monitor(process, Pb),
    Ta = supervisor:terminate_child(Sup, a),
    Da = wait_down(Ra),
    Tb = supervisor:terminate_child(Sup, b),
    Db = wait_down(Rb),
    Ev = events(collect(50)),
    stop_sup(Sup),
    {trapping, {Ta, Da}, non_trapping, {Tb, Db}, events, Ev}.

shutdown_infinity_worker() ->
    {ok, Sup} = start_sup(#{}, [spec(a, #{trap => true, term_sleep => 200},
                                     #{shutdown => infinity})]),
    Pa = wait_started(a),
    Ref = monitor(process, Pa),
    T0 = now_ms(),
    T = supervisor:terminate_child(Sup, a),
    Elapsed = ms_since(T0),
    D = wait_down(Ref),
    stop_sup(Sup),
    {terminate_child, T, down_reason, D,
     elapsed_ms_rounded_to_50, round(Elapsed / 50) * 50}.

%% 17
which_children_exact() ->
    NestedStart = {supervisor, start_link, [?MODULE, {sup, {ok, {#{}, []}}}]},
    {ok, Sup} = start_sup(#{}, [spec(a, #{}),
                                #{id => s, start => NestedStart, type => supervisor},
                                {t, {?MODULE, start_worker, [t, #{test => self()}]},
                                 permanent, 5000, worker, dynamic},
                                {u, NestedStart, permanent, infinity, supervisor, [foo, bar]}]),
    Pa = wait_started(a),
    Pt = wait_started(t),
    W0 = supervisor:which_children(Sup),
    {s, S, _, _} = lists:keyfind(s, 1, W0),
    {u, U, _, _} = lists:keyfind(u, 1, W0),
    L = [{Pa, pa}, {Pt, pt}, {S, ps}, {U, pu}],
    WC = norm(supervisor:which_children(Sup), L),
    CC = supervisor:count_children(Sup),
    stop_sup(Sup),
    {which_children, WC, count_children, CC}.

get_childspec_defaults() ->
    NestedStart = {supervisor, start_link, [?MODULE, {sup, {ok, {#{}, []}}}]},
    {ok, Sup} = start_sup(#{}, [#{id => a, start => {?MODULE, start_worker, [a, #{test => self()}]}},
                                #{id => s, start => NestedStart, type => supervisor},
                                {t, {?MODULE, start_worker, [t, #{test => self()}]},
                                 transient, 5000, worker, dynamic}]),
    G = [supervisor:get_childspec(Sup, Id) || Id <- [a, s, t, nope]],
    Self = self(),
    stop_sup(Sup),
    norm(G, [{Self, test_pid}]).

%% 18a
gen_server_late_reply() ->
    {ok, P} = gen_server:start(?MODULE, {worker, srv, #{test => self()}}, []),
    _ = wait_started(srv),
    R = (catch gen_server:call(P, {sleep, 100, late}, 50)),
    timer:sleep(300),
    {messages, Msgs} = process_info(self(), messages),
    gen_server:stop(P),
    collect(20),
    norm({caught, R, mailbox_after_300ms, Msgs}, [{P, srv}]).

%% 18b
gen_server_call_self() ->
    {ok, P} = gen_server:start(?MODULE, {worker, srv, #{test => self()}}, []),
    _ = wait_started(srv),
    Ref = monitor(process, P),
    R = (catch gen_server:call(P, self_call)),
    D = wait_down(Ref),
    Ev = events(collect(50)),
    norm({caller_caught, R, server_exit_reason, D, events, Ev}, [{P, srv}]).

%% 18c
gen_server_call_crash() ->
    {ok, P} = gen_server:start(?MODULE, {worker, srv, #{test => self()}}, []),
    _ = wait_started(srv),
    Ref = monitor(process, P),
    R = (catch gen_server:call(P, {exit, boom})),
    D = wait_down(Ref),
    Ev = events(collect(50)),
    norm({caller_caught, R, server_exit_reason, D, events, Ev}, [{P, srv}]).

%% 18d
gen_server_stop_terminate() ->
    {ok, P} = gen_server:start(?MODULE, {worker, srv, #{test => self()}}, []),
    _ = wait_started(srv),
    Ref = monitor(process, P),
    R = gen_server:stop(P),
    D = wait_down(Ref),
    Ev = events(collect(50)),
    R2 = (catch gen_server:stop(P)),
    norm({stop_result, R, down_reason, D, events, Ev, stop_dead, R2}, [{P, srv}]).

%% 18e
gen_server_start_init(InitOpt) ->
    R = gen_server:start(?MODULE, {worker, srv, #{test => self(), init => InitOpt}}, []),
    Ev = events(collect(50)),
    {start_result, R, msgs, Ev}.

gen_server_start_init_crash() -> gen_server_start_init({error, oops}).
gen_server_start_init_exit() -> gen_server_start_init({exit, oops}).
gen_server_start_init_throw() -> gen_server_start_init({throw, oops}).
gen_server_start_init_stop() -> gen_server_start_init({stop, oops}).
gen_server_start_init_ignore() -> gen_server_start_init(ignore).
