%% The BEAM side of the OTP interop tests (tests/interop/beam_otp_test.cpp).
%% call_rill/1 uses OTP's own client functions on rill's gen_server
%% (`counter`) and supervisor (`rill_sup`): gen_server:call and cast,
%% a call that times out (its late reply must not appear), calls to a name
%% rill does not have, sys:suspend, resume, get_state and get_status,
%% supervisor:which_children, count_children, terminate_child and restart_child, and gen_server:stop;
%% reports the failed checks to rill's `sink` and halts 0 when there are
%% none. serve/1 runs a gen_server (`beam_counter`) for rill's otp::call
%% to reach: it reports `ready` and halts when rill sends `stop` to `rill_otp`.
-module(rill_otp).
-behaviour(gen_server).
-export([call_rill/1, serve/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(WAIT, 30000).

call_rill(RillNode) ->
    Counter = {counter, RillNode},
    Two = gen_server:call(Counter, {add, 2}),
    Five = gen_server:call(Counter, {add, 3}, infinity),
    ok = gen_server:cast(Counter, {add, 10}),
    Fifteen = gen_server:call(Counter, get),
    TimedOut = try gen_server:call(Counter, slow, 100)
               catch exit:{timeout, {gen_server, call, [Counter, slow, 100]}} -> timeout
               end,
    %% The slow call's reply comes after `release`'s reply: by then it is here
    %% unless it was dropped.
    Released = gen_server:call(Counter, release),
    LateLeft = drain(),
    NoProc = try gen_server:call({nobody, RillNode}, x)
             catch exit:{noproc, {gen_server, call, [{nobody, RillNode}, x]}} -> noproc
             end,
    SuspendResume = [sys:suspend(Counter), sys:get_state(Counter), sys:resume(Counter)],
    State = sys:get_state(Counter),
    Status = case sys:get_status(Counter) of
                 {status, P, {module, gen_server}, [_, running, _, _, _]} when is_pid(P) -> ok;
                 Other -> Other
             end,
    Sup = {rill_sup, RillNode},
    Children = case supervisor:which_children(Sup) of
                   [{worker_one, W, worker, _}] when is_pid(W) -> ok;
                   OtherChildren -> OtherChildren
               end,
    Counts = supervisor:count_children(Sup),
    Terminated = supervisor:terminate_child(Sup, worker_one),
    Restarted = case supervisor:restart_child(Sup, worker_one) of
                    {ok, R} when is_pid(R) -> ok;
                    OtherRestart -> OtherRestart
                end,
    Stopped = gen_server:stop(Counter),
    Checks = [{call, Two, 2},
              {call_infinity, Five, 5},
              {cast_then_call, Fifteen, 15},
              {timed_out, TimedOut, timeout},
              {released, Released, released},
              {late_reply_dropped, LateLeft, []},
              {noproc, NoProc, noproc},
              {suspend_resume, SuspendResume, [ok, 15, ok]},
              {get_state, State, 15},
              {get_status, Status, ok},
              {which_children, Children, ok},
              {count_children, Counts, [{specs, 1}, {active, 1}, {supervisors, 0}, {workers, 1}]},
              {terminate_child, Terminated, ok},
              {restart_child, Restarted, ok},
              {stop, Stopped, ok}],
    Failed = [{Name, Got, Want} || {Name, Got, Want} <- Checks, Got =/= Want],
    [io:format("~p: got ~p, want ~p~n", [Name, Got, Want]) || {Name, Got, Want} <- Failed],
    rill_interop:report(RillNode, {otp, length(Checks), Failed}),
    halt(if Failed =:= [] -> 0; true -> 1 end).

drain() ->
    receive M -> [M | drain()] after 0 -> [] end.

serve(RillNode) ->
    register(rill_otp, self()),
    {ok, _} = gen_server:start({local, beam_counter}, ?MODULE, [], []),
    rill_interop:report(RillNode, ready),
    receive stop -> halt(0) end.

%% beam_counter: `{add, N}` adds and answers the total, `get` answers it,
%% `hold` never answers, `crash` ends the server with `boom`.
init([]) -> {ok, 0}.

handle_call({add, N}, _From, Total) -> {reply, Total + N, Total + N};
handle_call(get, _From, Total) -> {reply, Total, Total};
handle_call(hold, _From, Total) -> {noreply, Total};
handle_call(crash, _From, Total) -> {stop, boom, Total}.

handle_cast({add, N}, Total) -> {noreply, Total + N}.

handle_info(_, Total) -> {noreply, Total}.
