%% The BEAM side of the cross-node signal tests (tests/interop/
%% beam_signals_test.cpp): links, monitors, exits and node monitors between
%% BEAM processes and rill processes, in both directions (SEMANTICS.md
%% S69..S75). The rill node runs a registered `helper` that answers
%% `{From, What}` with `{helper, Answer}`:
%%   dead_pid   a pid of a rill process that has ended
%%   victim     a new rill process that exits with R on `{exit_with, R}`
%%   trapper    a new trapping rill process that sends each exit signal it
%%              gets to From as `{trapped, Sender, Reason}`
%%   disconnect closes the connection to From's node (no answer)
%% Each check is `{Name, Got, Want}`; the verdict reports the failed ones to
%% rill's `sink` and halts with 0 when there are none. Every wait is
%% bounded, so a missing signal is a failure, not a hang.
-module(rill_signals).
-export([watch_rill/2, watch_rill_lost/1, targets/1]).

-define(WAIT, 30000).

%% BEAM processes watch rill processes, one behaviour per run.
watch_rill(RillNode, Behaviour) ->
    process_flag(trap_exit, true),
    verdict(RillNode, Behaviour, checks(Behaviour, RillNode)).

checks(s69, RillNode) ->
    Dead = ask(RillNode, dead_pid),
    [{s69_to_unregistered_name, {nobody, RillNode} ! x, x},
     {s69_to_dead_pid, Dead ! x, x},
     {s69_node_still_answers, is_pid(ask(RillNode, victim)), true}];
checks(s70, RillNode) ->
    Dead = ask(RillNode, dead_pid),
    ByName = monitor(process, {nobody, RillNode}),
    ByDeadPid = monitor(process, Dead),
    [{s70_by_name, down(ByName), {{nobody, RillNode}, noproc}},
     {s70_dead_pid, down(ByDeadPid), {Dead, noproc}}];
checks(s71, RillNode) ->
    Dead = ask(RillNode, dead_pid),
    Linked = link(Dead),
    [{s71_link_returns_true, Linked, true},
     {s71_exit_noproc, exit_from(Dead), noproc}];
checks(s72, RillNode) ->
    Victim = ask(RillNode, victim),
    true = link(Victim),
    OnVictim = monitor(process, Victim),
    Victim ! {exit_with, {remote, reason}},
    Trapper = ask(RillNode, trapper),
    OnTrapper = monitor(process, Trapper),
    exit(Trapper, normal),
    Trapped = receive {trapped, _, _} = T -> T after ?WAIT -> timeout end,
    exit(Trapper, kill),
    [{s72_link_exit, exit_from(Victim), {remote, reason}},
     {s72_down, down(OnVictim), {Victim, {remote, reason}}},
     {s72_normal_to_trapping, Trapped, {trapped, self(), normal}},
     {s72_kill_gives_killed, down(OnTrapper), {Trapper, killed}}];
checks(s75, RillNode) ->
    %% The DOWN carries the real reason, so BEAM sent a MONITOR_P (rill
    %% offers DIST_MONITOR) and the connection stayed up.
    Victim = ask(RillNode, victim),
    OnVictim = monitor(process, Victim),
    Victim ! {exit_with, {remote, reason}},
    [{s75_down_with_the_reason, down(OnVictim), {Victim, {remote, reason}}},
     {s75_still_connected, lists:member(RillNode, nodes(hidden)), true}].

%% A BEAM process linked to and monitoring a rill process, with
%% monitor_node on the rill node, sees the connection go: S74.
watch_rill_lost(RillNode) ->
    process_flag(trap_exit, true),
    Victim = ask(RillNode, victim),
    true = link(Victim),
    OnVictim = monitor(process, Victim),
    true = monitor_node(RillNode, true),
    {helper, RillNode} ! {self(), disconnect},
    Exit = exit_from(Victim),
    Down = down(OnVictim),
    NodeDown = receive {nodedown, RillNode} -> nodedown after ?WAIT -> timeout end,
    verdict(RillNode, watched_rill_lost,
            [{s74_link, Exit, noconnection},
             {s74_monitor, Down, {Victim, noconnection}},
             {s74_nodedown, NodeDown, nodedown}]).

%% Targets for rill processes to watch: a dead pid, a victim that exits
%% with R on {exit_with, R}, and a trapping process that reports each exit
%% signal it gets to rill's sink as {trapped, Sender, Reason}. Reports
%% {targets, Dead, Victim, Trapper} and runs until `stop` (or until killed).
targets(RillNode) ->
    register(beam_targets, self()),
    Dead = spawn(fun() -> ok end),
    Ref = monitor(process, Dead),
    receive {'DOWN', Ref, process, Dead, _} -> ok end,
    Victim = spawn(fun() -> receive {exit_with, R} -> exit(R) end end),
    Trapper = spawn(fun() -> process_flag(trap_exit, true), trapper(RillNode) end),
    {sink, RillNode} ! {report, self(), {targets, Dead, Victim, Trapper}},
    receive stop -> halt(0) end.

trapper(RillNode) ->
    receive
        {'EXIT', From, Reason} -> {sink, RillNode} ! {trapped, From, Reason}
    end,
    trapper(RillNode).

ask(RillNode, What) ->
    {helper, RillNode} ! {self(), What},
    receive {helper, Answer} -> Answer after ?WAIT -> halt(3) end.

down(Ref) ->
    receive {'DOWN', Ref, process, Object, Reason} -> {Object, Reason} after ?WAIT -> timeout end.

exit_from(Pid) ->
    receive {'EXIT', Pid, Reason} -> Reason after ?WAIT -> timeout end.

verdict(RillNode, Label, Checks) ->
    Failed = [{Name, Got, Want} || {Name, Got, Want} <- Checks, Got =/= Want],
    [io:format("~p: got ~p, want ~p~n", [Name, Got, Want]) || {Name, Got, Want} <- Failed],
    rill_interop:report(RillNode, {Label, length(Checks), Failed}),
    halt(if Failed =:= [] -> 0; true -> 1 end).
