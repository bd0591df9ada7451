#pragma once

/// \file
/// rill: Erlang-style lightweight processes for C++20. Include this one
/// header for the whole public API.

#include <rill/core/atom.hpp>
#include <rill/core/errors.hpp>
#include <rill/core/list_builder.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/process/exit.hpp>
#include <rill/process/info.hpp>
#include <rill/process/label.hpp>
#include <rill/process/message.hpp>
#include <rill/process/node_value.hpp>
#include <rill/process/receive.hpp>
#include <rill/process/receive_first.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/process/spawn.hpp>
#include <rill/process/task.hpp>
#include <rill/process/timer.hpp>
#include <rill/registry/registry.hpp>
#include <rill/runtime/runtime.hpp>
#include <rill/runtime/runtime_options.hpp>
#include <rill/signal/alias.hpp>
#include <rill/signal/exit.hpp>
#include <rill/signal/link.hpp>
#include <rill/signal/monitor.hpp>
