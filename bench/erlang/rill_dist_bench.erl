%% BEAM's side of the distribution workloads of bench/dist/dist_bench.cpp,
%% with the same RESULT keys (bench/dist_compare runs both):
%%
%%   codec ROUNDS: term_to_binary/binary_to_term of the 1,000-record list
%%     erl -noshell -pa DIR -eval 'rill_dist_bench:codec(200)'
%%   server: the echo node (registers `echo`: {From, X} -> From ! X)
%%     erl -sname srv@localhost -setcookie bench -noshell -pa DIR -eval 'rill_dist_bench:server()'
%%   pingpong SERVER M: M round trips to SERVER's echo (a BEAM or rill node)
%%     erl -sname cli@localhost -setcookie bench -noshell -pa DIR \
%%         -eval 'rill_dist_bench:pingpong(srv@localhost, rill, 100000)'
%%   stream SERVER SENDERS PER: SENDERS processes stream PER small integers
%%     each to SERVER's sink; bulk SERVER COUNT BYTES: COUNT binaries of
%%     BYTES, one way. The sink (registered `sink` on the server node, BEAM
%%     or rill) answers {start, From, Expected} with {ready, SinkPid}, and
%%     sends `done` once Expected messages came; the clock runs from
%%     `ready` to `done`.
-module(rill_dist_bench).
-export([codec/1, server/0, pingpong/3, stream/4, bulk/4, stop/1, storm/4, rpc/3, echo/1]).

records() ->
    [{user, I, I * 1000000000000, I / 3, <<I:128>>, [a, b, I], self()}
     || I <- lists:seq(1, 1000)].

codec(Rounds) ->
    T = records(),
    B = term_to_binary(T, [{minor_version, 2}]),
    {EncodeUs, _} = timer:tc(fun() -> encode_loop(T, Rounds) end),
    {DecodeUs, _} = timer:tc(fun() -> decode_loop(B, Rounds) end),
    MB = byte_size(B) * Rounds / 1.0e6,
    io:format("RESULT sys=erlang bench=codec rounds=~b bytes=~b encode_ms=~.1f decode_ms=~.1f "
              "encode_mb_per_s=~.1f decode_mb_per_s=~.1f~n",
              [Rounds, byte_size(B), EncodeUs / 1000, DecodeUs / 1000,
               MB / (EncodeUs / 1.0e6), MB / (DecodeUs / 1.0e6)]),
    halt(0).

encode_loop(_, 0) -> ok;
encode_loop(T, N) -> _ = term_to_binary(T, [{minor_version, 2}]), encode_loop(T, N - 1).

decode_loop(_, 0) -> ok;
decode_loop(B, N) -> _ = binary_to_term(B), decode_loop(B, N - 1).

server() ->
    register(sink, spawn(fun sink/0)),
    register(storm, spawn(fun() -> storm_server([]) end)),
    register(echo, self()),
    server_loop().

sink() ->
    receive
        {start, From, Expected} ->
            From ! {ready, self()},
            sink_count(From, Expected, 0)
    end.

sink_count(From, Expected, Expected) ->
    From ! done,
    sink();
sink_count(From, Expected, N) ->
    receive _ -> sink_count(From, Expected, N + 1) end.

%% The sink's pid, once it expects Expected messages.
open_sink(Server, Expected) ->
    pong = net_adm:ping(Server),
    {sink, Server} ! {start, self(), Expected},
    receive {ready, Sink} -> Sink end.

stream(Server, Peer, Senders, Per) ->
    Sink = open_sink(Server, Senders * Per),
    T0 = erlang:monotonic_time(microsecond),
    [spawn(fun() -> send_n(Sink, Per) end) || _ <- lists:seq(1, Senders)],
    receive done -> ok end,
    Us = erlang:monotonic_time(microsecond) - T0,
    io:format("RESULT sys=erlang bench=dist_stream pair=beam-~s senders=~b per=~b "
              "total_ms=~.1f msgs_per_s=~b~n",
              [Peer, Senders, Per, Us / 1000, round(Senders * Per / (Us / 1.0e6))]),
    halt(0).

send_n(_, 0) -> ok;
send_n(Sink, N) -> Sink ! N, send_n(Sink, N - 1).

bulk(Server, Peer, Count, Bytes) ->
    Blob = binary:copy(<<0>>, Bytes),
    Sink = open_sink(Server, Count),
    T0 = erlang:monotonic_time(microsecond),
    [Sink ! Blob || _ <- lists:seq(1, Count)],
    receive done -> ok end,
    Us = erlang:monotonic_time(microsecond) - T0,
    io:format("RESULT sys=erlang bench=dist_bulk pair=beam-~s count=~b bytes=~b "
              "total_ms=~.1f mb_per_s=~.1f~n",
              [Peer, Count, Bytes, Us / 1000, Count * Bytes / 1.0e6 / (Us / 1.0e6)]),
    halt(0).

server_loop() ->
    receive
        stop -> halt(0);
        {From, X} -> From ! X, server_loop()
    end.

%% Peer names the kind of server node, for the RESULT line (beam or rill).
pingpong(Server, Peer, M) ->
    pong = net_adm:ping(Server),
    Echo = {echo, Server},
    Echo ! {self(), 0},
    receive 0 -> ok end,
    {Us, _} = timer:tc(fun() -> rounds(Echo, 1, M) end),
    io:format("RESULT sys=erlang bench=dist_pingpong pair=beam-~s m=~b total_ms=~.1f "
              "rtt_ns=~.1f~n", [Peer, M, Us / 1000, Us * 1000 / M]),
    halt(0).

rounds(_, N, M) when N > M -> ok;
rounds(Echo, N, M) ->
    Echo ! {self(), N},
    receive N -> rounds(Echo, N + 1, M) end.

stop(Server) ->
    {echo, Server} ! stop,
    halt(0).

echo(X) -> X.

storm_server(Victims) ->
    receive
        {spawn, From, N} ->
            Pids = [spawn(fun() -> receive _ -> ok end end) || _ <- lists:seq(1, N)],
            From ! {spawned, Pids},
            storm_server(Pids);
        {sync, From} ->
            From ! synced,
            storm_server(Victims);
        {kill_all, _From} ->
            [exit(P, kill) || P <- Victims],
            storm_server([])
    end.

storm(Server, Peer, N, Kind) ->
    process_flag(trap_exit, true),
    pong = net_adm:ping(Server),
    Storm = {storm, Server},
    Storm ! {spawn, self(), N},
    Pids = receive {spawned, Ps} -> Ps end,
    case Kind of
        links -> [link(P) || P <- Pids];
        monitors -> [monitor(process, P) || P <- Pids]
    end,
    Storm ! {sync, self()},
    receive synced -> ok end,
    T0 = erlang:monotonic_time(microsecond),
    Storm ! {kill_all, self()},
    await_storm(Kind, N),
    Us = erlang:monotonic_time(microsecond) - T0,
    io:format("RESULT sys=erlang bench=dist_~s_storm pair=beam-~s n=~b total_ms=~.1f~n",
              [Kind, Peer, N, Us / 1000]),
    halt(0).

await_storm(_, 0) -> ok;
await_storm(links, N) -> receive {'EXIT', _, killed} -> await_storm(links, N - 1) end;
await_storm(monitors, N) -> receive {'DOWN', _, process, _, killed} -> await_storm(monitors, N - 1) end.

rpc(Server, Peer, M) ->
    pong = net_adm:ping(Server),
    0 = rpc:call(Server, rill_dist_bench, echo, [0]),
    {Us, _} = timer:tc(fun() -> rpc_rounds(Server, 1, M) end),
    io:format("RESULT sys=erlang bench=dist_rpc pair=beam-~s m=~b total_ms=~.1f "
              "call_ns=~.1f~n", [Peer, M, Us / 1000, Us * 1000 / M]),
    halt(0).

rpc_rounds(_, N, M) when N > M -> ok;
rpc_rounds(Server, N, M) ->
    N = rpc:call(Server, rill_dist_bench, echo, [N]),
    rpc_rounds(Server, N + 1, M).
