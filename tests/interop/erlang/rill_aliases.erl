%% The BEAM side of the alias tests (tests/interop/beam_aliases_test.cpp).
%% call_rill/1 calls rill's `replier` (a rill process that answers
%% gen_server's wire shape through the caller's alias) with
%% gen_server:call, lets one call time out and checks that the late reply
%% is dropped, and sends to rill aliases and through BEAM aliases both
%% ways; reports the failed checks to rill's `sink` and halts 0 when there
%% are none. serve/1 runs a gen_server for rill to call: it reports
%% `ready` and halts on `stop`.
-module(rill_aliases).
-behaviour(gen_server).
-export([call_rill/1, serve/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(WAIT, 30000).

call_rill(RillNode) ->
    Replier = {replier, RillNode},
    OnTime = gen_server:call(Replier, {echo, 7}),
    %% A call that times out: the reply rill sends afterwards goes to the
    %% alias gen_server:call ended, and BEAM drops it; `released` comes
    %% after it from the same process, so once it is here, so would be
    %% the reply.
    TimedOut = try gen_server:call(Replier, hold, 100) catch exit:{timeout, _} -> timeout end,
    Replier ! {release, self()},
    Released = receive released -> released after ?WAIT -> no_release end,
    LateLeft = drain(),
    %% Messages to a BEAM alias from rill: delivered while active only.
    Alias = alias(),
    Replier ! {send_to, Alias, hello},
    Hello = receive hello -> hello after ?WAIT -> none end,
    true = unalias(Alias),
    Replier ! {send_to, Alias, after_unalias},
    Replier ! {send_to, self(), done},
    Done = receive done -> done after ?WAIT -> none end,
    AfterUnalias = drain(),
    %% A rill alias, from BEAM: rill's `replier` makes one and reports it.
    Replier ! {make_alias, self()},
    RillAlias = receive {rill_alias, A} -> A after ?WAIT -> none end,
    RillAlias ! {from_beam, self()},
    FromRill = receive {got_through_alias, {from_beam, _}} -> ok after ?WAIT -> none end,
    Checks = [{on_time, OnTime, 7},
              {timed_out, TimedOut, timeout},
              {released, Released, released},
              {late_reply_dropped, LateLeft, []},
              {beam_alias_reached, Hello, hello},
              {done, Done, done},
              {unaliased_dropped, AfterUnalias, []},
              {rill_alias_is_a_ref, is_reference(RillAlias), true},
              {rill_alias_reached, FromRill, ok}],
    Failed = [{Name, Got, Want} || {Name, Got, Want} <- Checks, Got =/= Want],
    [io:format("~p: got ~p, want ~p~n", [Name, Got, Want]) || {Name, Got, Want} <- Failed],
    rill_interop:report(RillNode, {aliases, length(Checks), Failed}),
    halt(if Failed =:= [] -> 0; true -> 1 end).

drain() ->
    receive M -> [M | drain()] after 0 -> [] end.

serve(RillNode) ->
    {ok, _} = gen_server:start({local, rill_aliases}, ?MODULE, [], []),
    rill_interop:report(RillNode, ready),
    erlang:monitor(process, rill_aliases),
    receive {'DOWN', _, process, _, _} -> halt(0) end.

%% The server rill calls: `{echo, X}` answers X; `hold` keeps the caller
%% waiting until `{release, Pid}` is cast, then answers late and tells Pid
%% `released` (after the reply, from this process); `stop` stops it.
init([]) -> {ok, none}.

handle_call({echo, X}, _From, State) -> {reply, X, State};
handle_call(hold, From, _State) -> {noreply, From};
handle_call(stop, _From, State) -> {stop, normal, ok, State}.

handle_cast({release, Pid}, From) ->
    gen_server:reply(From, late),
    Pid ! released,
    {noreply, none}.

handle_info(_, State) -> {noreply, State}.
