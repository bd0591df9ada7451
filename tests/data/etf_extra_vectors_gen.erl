%% Regenerates tests/data/etf-extra-vectors.txt with a real Erlang/OTP:
%%   erlc etf_extra_vectors_gen.erl && \
%%   erl -noshell -s etf_extra_vectors_gen main -s init stop > etf-extra-vectors.txt
%% Each source is Erlang text that tests/unit/etf/erlang_literal.cpp reads.
-module(etf_extra_vectors_gen).
-export([main/0]).

vectors() ->
    [{atom_100_cjk_chars, "list_to_atom(lists:duplicate(100, 26085))", none},
     {improper_byte_list, "[1, 2 | 3]", none},
     {list_with_negative, "[1, -1]", none},
     {list_with_float, "[1, 2.0]", none},
     {bitstring_7_bits, "<<127:7>>", none},
     {bitstrings_in_tuple, "{<<1:1>>, <<>>}", none},
     {map_of_mixed_keys, "#{#{} => [], {a} => <<\"x\">>, 3.5 => -3}", none},
     {big_below_i64_min, "-9223372036854775809", none},
     {list_of_big, "[1 bsl 70]", none},
     {large_big_256_bytes, "1 bsl 2040", none},
     {large_big_negative, "-1 bsl 2040", none},
     {compressed_tuples_6, "lists:duplicate(500, {a, 1})", 6},
     {compressed_seq_9, "lists:seq(1, 200)", 9},
     {compressed_zeros_1, "lists:duplicate(100, 0)", 1},
     {compressed_too_small_6, "{a, b}", 6},
     {compressed_level_0, "lists:duplicate(100, 0)", 0}].

main() ->
    io:format("# ETF vectors made with ~s by etf_extra_vectors_gen.erl (see its header).~n"
              "# name<TAB>erlang_source<TAB>compression level or none<TAB>"
              "hex(term_to_binary(T, [{minor_version,2}] ++ [{compressed,Level}]))~n",
              [erlang:system_info(otp_release)]),
    [line(Name, Source, Level) || {Name, Source, Level} <- vectors()],
    ok.

line(Name, Source, Level) ->
    {ok, Tokens, _} = erl_scan:string(Source ++ "."),
    {ok, [Expr]} = erl_parse:parse_exprs(Tokens),
    {value, Term, _} = erl_eval:expr(Expr, []),
    Options = case Level of none -> []; _ -> [{compressed, Level}] end,
    Bytes = term_to_binary(Term, [{minor_version, 2} | Options]),
    io:format("~s\t~s\t~p\t~s~n", [Name, Source, Level, hex(Bytes)]).

hex(Bytes) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Bytes].
