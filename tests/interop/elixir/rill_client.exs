# The Elixir side of rill's Elixir interop test
# (tests/interop/beam_interop_test.cpp, ElixirInterop): a whole Elixir node's
# life, started as
#
#   elixir --sname elixir_client@localhost --cookie C --hidden rill_client.exs RillNode
#
# with ERL_EPMD_PORT set to the rill node's embedded epmd. It connects to the
# rill node, sends a term to rill's registered `echo` process with
# send({:echo, node}, msg), waits for the reply, reports
# {:elixir_echoed, Reply} to rill's `sink` (and waits for its ack, so the
# report is not lost with the node), then halts with 0 when the reply was
# exactly what it sent, 1 otherwise. The test waits on the report and the
# exit status: events, never time.

[rill_node_name] = System.argv()
rill_node = String.to_atom(rill_node_name)

verdict = fn ok, message ->
  IO.puts(message)
  System.halt(if ok, do: 0, else: 1)
end

unless Node.connect(rill_node) == true do
  verdict.(false, "could not connect to #{rill_node}")
end

sent = {:elixir, "hello from Elixir", [1, 2.5, %{a: 1}], self()}
tag = make_ref()
send({:echo, rill_node}, {self(), tag, sent})

reply =
  receive do
    {^tag, back} -> back
  after
    30_000 -> :no_reply
  end

send({:sink, rill_node}, {:report, self(), {:elixir_echoed, reply}})

receive do
  :report_ack -> :ok
after
  60_000 -> verdict.(false, "no report_ack from #{rill_node}")
end

if reply == sent do
  verdict.(true, "rill echoed #{inspect(reply)}")
else
  verdict.(false, "rill answered #{inspect(reply)}, not #{inspect(sent)}")
end
