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
-module(rill_dist_bench).
-export([codec/1, server/0, pingpong/3, stop/1]).

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
    register(echo, self()),
    server_loop().

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
