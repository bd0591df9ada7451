#pragma once

/// \file
/// Umbrella header of `rill::dist`, the Erlang distribution library (link
/// `rill::dist`): the external term format codec, and `dist::net_kernel`,
/// which makes a runtime a node of an Erlang cluster.

#include <rill/dist/etf.hpp>
#include <rill/dist/etf_error.hpp>
#include <rill/dist/net_kernel.hpp>
#include <rill/dist/options.hpp>
#include <rill/dist/remote_calls.hpp>
