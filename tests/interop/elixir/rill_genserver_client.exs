# The Elixir side of rill's GenServer interop test
# (tests/interop/beam_otp_test.cpp, ElixirGenServer), started as
#
#   elixir --sname elixir_gen_client@localhost --cookie C --hidden rill_genserver_client.exs RillNode
#
# with ERL_EPMD_PORT set to the rill node's embedded epmd. It uses
# GenServer.call and GenServer.cast on rill's registered gen_server
# `counter`, reports {:elixir_calls, Results} to rill's `sink` (and waits
# for its ack), and halts with 0 when every result is what an Elixir
# GenServer would have given, 1 otherwise.

[rill_node_name] = System.argv()
rill_node = String.to_atom(rill_node_name)
counter = {:counter, rill_node}

results = [
  GenServer.call(counter, {:add, 2}),
  GenServer.cast(counter, {:add, 40}),
  GenServer.call(counter, :get, 10_000),
  (try do
     GenServer.call({:nobody, rill_node}, :x)
   catch
     :exit, {:noproc, {GenServer, :call, _}} -> :noproc
   end)
]

send({:sink, rill_node}, {:report, self(), {:elixir_calls, results}})

receive do
  :report_ack -> :ok
after
  60_000 -> System.halt(2)
end

System.halt(if results == [2, :ok, 42, :noproc], do: 0, else: 1)
