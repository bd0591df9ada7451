%% The BEAM side of rill's interop tests (tests/interop/). Each function is
%% the whole life of a BEAM node started by a test with
%% `-eval 'rill_interop:F(Args)'`: it talks to the rill node, reports to the
%% test's registered `sink` process there, and halts with status 0 when
%% everything it checked held, 1 otherwise. The test waits for the report
%% and the exit status: events, never time.
-module(rill_interop).
-export([ping/1, echo/2, serve/1, ping_only/1, report/2]).

%% {report, Self, Message} to the sink, then its `report_ack`.
report(RillNode, Message) ->
    {sink, RillNode} ! {report, self(), Message},
    receive report_ack -> ok after 60000 -> halt(2) end.

%% BEAM pings rill; reports {pinged, pong | pang}.
ping(RillNode) ->
    Result = net_adm:ping(RillNode),
    report(RillNode, {pinged, Result}),
    halt(if Result =:= pong -> 0; true -> 1 end).

%% Pings and halts without a report (for a rill node with no sink).
ping_only(RillNode) ->
    halt(case net_adm:ping(RillNode) of pong -> 0; pang -> 1 end).

%% Sends every term of the vectors file (sections 1 and 3, the Erlang side
%% of each line decoded from its hex), large binaries and a deep term to
%% rill's `echo` process, which sends each back; checks each comes back
%% exactly equal. Reports {echoed, Count, Failures}.
echo(RillNode, VectorsFile) ->
    Terms = vector_terms(VectorsFile) ++ extra_terms(),
    Failures = lists:filter(fun(T) -> not round_trip(RillNode, T) end, Terms),
    report(RillNode, {echoed, length(Terms), length(Failures)}),
    [io:format("not echoed equal: ~P~n", [F, 20]) || F <- Failures],
    halt(if Failures =:= [] -> 0; true -> 1 end).

round_trip(RillNode, T) ->
    Tag = make_ref(),
    {echo, RillNode} ! {self(), Tag, T},
    receive
        {Tag, Back} -> Back =:= T
    after 60000 -> false
    end.

vector_terms(File) ->
    {ok, Text} = file:read_file(File),
    Lines = binary:split(Text, <<"\n">>, [global]),
    lists:filtermap(fun vector_term/1, in_sections([<<"1">>, <<"3">>], Lines, false)).

in_sections(_, [], _) -> [];
in_sections(Wanted, [<<"## section ", Rest/binary>> | Lines], _) ->
    [Number | _] = binary:split(Rest, <<":">>),
    in_sections(Wanted, Lines, lists:member(Number, Wanted));
in_sections(Wanted, [Line | Lines], true) -> [Line | in_sections(Wanted, Lines, true)];
in_sections(Wanted, [_ | Lines], false) -> in_sections(Wanted, Lines, false).

vector_term(<<"#", _/binary>>) -> false;
vector_term(<<>>) -> false;
vector_term(Line) ->
    Fields = binary:split(Line, <<"\t">>, [global]),
    Hexes = [F || F <- Fields, is_hex_term(F)],
    case Hexes of
        [Hex | _] ->
            try {true, binary_to_term(binary:decode_hex(Hex))}
            catch _:_ -> false
            end;
        [] -> false
    end.

is_hex_term(<<"83", _/binary>> = F) ->
    byte_size(F) rem 2 =:= 0 andalso
        lists:all(fun(C) -> (C >= $0 andalso C =< $9) orelse (C >= $a andalso C =< $f) end,
                  binary_to_list(F));
is_hex_term(_) -> false.

%% A 1 MiB and a 64 MiB binary (a 64 MiB frame: under rill's default
%% max_frame_size of 1 GiB), a 10,000-deep list, and a term of each kind.
extra_terms() ->
    Deep = lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 10000)),
    [binary:copy(<<7>>, 1 bsl 20),
     binary:copy(<<1, 2, 3, 4>>, (64 bsl 20) div 4),
     Deep,
     {self(), make_ref(), #{a => [1.5, <<"x">>], {k} => -1 bsl 100}}].

%% Registers `beam_echo` (answers {From, Tag, T} with {Tag, {beam, T}}),
%% tells rill's sink {beam_ready, self()}, and stops on `stop`.
serve(RillNode) ->
    register(beam_echo, self()),
    {sink, RillNode} ! {report, self(), {beam_ready, self()}},
    serve_loop().

serve_loop() ->
    receive
        stop -> halt(0);
        {From, Tag, T} when is_pid(From) -> From ! {Tag, {beam, T}}, serve_loop();
        _ -> serve_loop()
    end.
