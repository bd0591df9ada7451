%% rill_otp_peer: BEAM's side of the OTP workloads (bench/otp/otp_bench.cpp),
%% with the same names, parameters and RESULT keys:
%%
%%   erl -noshell +S 2:2 +P 4194304 -pa DIR -eval 'rill_otp_peer:main(["gencall","1000000"])'
%%
%%   gencall M          M sequential gen_server:call round trips -> ns_per_call
%%   suprestart N       a simple_one_for_one supervisor with N children, all
%%                      told to crash at once; time until all N replacements
%%                      have started -> restarts_per_s
%%   suptree SUPS PER   start a one_for_one tree of SUPS supervisors of PER
%%                      gen_server workers, then stop it in order
%%                      -> start_ms, stop_ms, total_ms
%%
%% A coordinator times only the measured section, checks the result, prints
%% `RESULT sys=erlang bench=<name> workers=<schedulers> ...` and halts (0 on
%% success). The logger's level is none, as the rill side drops its reports.
-module(rill_otp_peer).
-behaviour(gen_server). % and a supervisor callback module (init/1 serves both)
-export([main/1, start_worker/1, start_crashing/1]).
-export([init/1, handle_call/3, handle_cast/2]).

main(Args) ->
    logger:set_primary_config(level, none),
    Parent = self(),
    {Pid, Ref} = spawn_monitor(fun() -> Parent ! {result, run([to_string(A) || A <- Args])} end),
    Status = receive
                 {'DOWN', Ref, process, Pid, normal} -> 0;
                 {'DOWN', Ref, process, Pid, Reason} ->
                     io:format(standard_error, "rill_otp_peer: ~p~n", [Reason]),
                     1
             end,
    halt(Status).

to_string(A) when is_atom(A) -> atom_to_list(A);
to_string(A) when is_list(A) -> A.

run(["gencall", M]) -> gencall(list_to_integer(M));
run(["suprestart", N]) -> suprestart(list_to_integer(N));
run(["suptree", Sups, Per]) -> suptree(list_to_integer(Sups), list_to_integer(Per)).

result(Bench, Format, Values) ->
    io:format("RESULT sys=erlang bench=~s workers=~b " ++ Format ++ "~n",
              [Bench, erlang:system_info(schedulers_online) | Values]).

ms_since(T0) -> (erlang:monotonic_time(microsecond) - T0) / 1000.

%% ---- gencall ---------------------------------------------------------------------------

gencall(M) ->
    {ok, Server} = gen_server:start_link(?MODULE, adder, []),
    T0 = erlang:monotonic_time(microsecond),
    N = call_loop(Server, 0, M),
    Ms = ms_since(T0),
    M = N,
    result("gencall", "m=~b ns_per_call=~.1f", [M, Ms * 1.0e6 / M]).

call_loop(_, N, 0) -> N;
call_loop(Server, N, Left) -> call_loop(Server, gen_server:call(Server, {increment, N}), Left - 1).

%% ---- suprestart ------------------------------------------------------------------------

suprestart(N) ->
    Self = self(),
    {ok, Sup} = supervisor:start_link(?MODULE, {simple, Self, N}),
    [{ok, _} = supervisor:start_child(Sup, []) || _ <- lists:seq(1, N)],
    await_starts(N),
    Children = [Pid || {_, Pid, _, _} <- supervisor:which_children(Sup)],
    T0 = erlang:monotonic_time(microsecond),
    [Pid ! crash || Pid <- Children],
    await_starts(N),
    Ms = ms_since(T0),
    Counts = supervisor:count_children(Sup),
    {active, N} = lists:keyfind(active, 1, Counts),
    result("suprestart", "n=~b ms=~.1f restarts_per_s=~b", [N, Ms, round(N / (Ms / 1000))]),
    unlink(Sup),
    exit(Sup, shutdown).

await_starts(0) -> ok;
await_starts(N) -> receive started -> await_starts(N - 1) end.

start_crashing(Coordinator) ->
    {ok, spawn_link(fun() -> Coordinator ! started, receive crash -> exit(boom) end end)}.

%% ---- suptree ---------------------------------------------------------------------------

suptree(Sups, Per) ->
    process_flag(trap_exit, true),
    T0 = erlang:monotonic_time(microsecond),
    {ok, Top} = supervisor:start_link(?MODULE, {top, Sups, Per}),
    StartMs = ms_since(T0),
    Counts = supervisor:count_children(Top),
    {active, Sups} = lists:keyfind(active, 1, Counts),
    true = erlang:system_info(process_count) >= Sups * (Per + 1) + 1,
    T1 = erlang:monotonic_time(microsecond),
    ok = gen_server:stop(Top),
    StopMs = ms_since(T1),
    result("suptree", "sups=~b per=~b start_ms=~.1f stop_ms=~.1f total_ms=~.1f",
           [Sups, Per, StartMs, StopMs, StartMs + StopMs]).

start_worker(_) -> gen_server:start_link(?MODULE, idle, []).

%% ---- callbacks: the gen_servers and the supervisors -----------------------------------

init(adder) -> {ok, adder};
init(idle) -> {ok, idle};
init({simple, Coordinator, N}) ->
    {ok, {#{strategy => simple_one_for_one, intensity => N + 1, period => 3600},
          [#{id => child, start => {?MODULE, start_crashing, [Coordinator]}}]}};
init({top, Sups, Per}) ->
    {ok, {#{strategy => one_for_one},
          [#{id => S, start => {supervisor, start_link, [?MODULE, {middle, Per}]}, type => supervisor}
           || S <- lists:seq(1, Sups)]}};
init({middle, Per}) ->
    {ok, {#{strategy => one_for_one},
          [#{id => W, start => {?MODULE, start_worker, [W]}} || W <- lists:seq(1, Per)]}}.

handle_call({increment, N}, _From, State) -> {reply, N + 1, State}.

handle_cast(_, State) -> {noreply, State}.
