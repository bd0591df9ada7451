%% The BEAM side of the sequential trace test
%% (tests/interop/beam_seqtrace_test.cpp). follow/1 sends a request with a
%% seq_trace label to rill's `forwarder` and checks that the answer comes
%% back with the label, its serial moved on by exactly rill's one send, and
%% that the system tracer saw the answer's receipt from the rill process;
%% then it gives the forwarder an echo process here to call with a label
%% of rill's own and checks that the echo carried rill's label and that
%% rill took it back with the echo's answer. Reports the failed checks to
%% rill's `sink` and halts 0 when there are none.
-module(rill_seqtrace).
-export([follow/1]).

-define(WAIT, 30000).
-define(LABEL, {beam_request, 42}).

follow(RillNode) ->
    Self = self(),
    Tracer = spawn(fun() -> tracer([]) end),
    seq_trace:set_system_tracer(Tracer),
    Forwarder = {forwarder, RillNode},
    %% Connected first: OTP 25 sends a message that has to set up the
    %% connection (auto-connect) without its trace token.
    pong = net_adm:ping(RillNode),
    %% BEAM -> rill -> BEAM.
    seq_trace:set_token(label, ?LABEL),
    seq_trace:set_token(send, true),
    seq_trace:set_token('receive', true),
    Forwarder ! {via_rill, Self, ping},
    Sent = seq_trace:get_token(),
    Reply = receive {hop, R} -> R after ?WAIT -> none end,
    Back = seq_trace:get_token(),
    seq_trace:set_token([]),
    %% rill -> BEAM -> rill: the echo answers with the label it took.
    Echo = spawn(fun echo/0),
    Forwarder ! {call_me, Echo, Self},
    {EchoSaw, RillHeld} =
        receive {rill_saw, E, H} -> {E, H} after ?WAIT -> {none, none} end,
    seq_trace:set_token([]),
    Tracer ! {events, Self},
    Events = receive {traced, Es} -> Es after ?WAIT -> [] end,
    ReceivedFromRill =
        [ok || {seq_trace, ?LABEL, {'receive', _, From, To, {hop, ping}}} <- Events,
               is_pid(From), node(From) =:= RillNode, To =:= Self],
    Checks = [{reply, Reply, ping},
              {label_came_back, label_of(Back), ?LABEL},
              {serial_moved_by_one_send, serial_of(Back), serial_of(Sent) + 1},
              {tracer_saw_rill_answer, ReceivedFromRill, [ok]},
              {echo_took_rill_label, EchoSaw, {label, {rill_request, 9}}},
              {rill_took_it_back, RillHeld, {rill_request, 9}}],
    Failed = [{Name, Got, Want} || {Name, Got, Want} <- Checks, Got =/= Want],
    [io:format("~p: got ~p, want ~p~n", [Name, Got, Want]) || {Name, Got, Want} <- Failed],
    rill_interop:report(RillNode, {seqtrace, length(Checks), Failed}),
    halt(if Failed =:= [] -> 0; true -> 1 end).

label_of([]) -> none;
label_of(Token) -> element(2, Token).

serial_of([]) -> -1;
serial_of(Token) -> element(3, Token).

%% Answers {From, X} with {echoed, X, the label it carries then}.
echo() ->
    receive {From, X} -> From ! {echoed, X, seq_trace:get_token(label)} end.

tracer(Events) ->
    receive
        {events, To} -> To ! {traced, lists:reverse(Events)};
        Event -> tracer([Event | Events])
    end.
