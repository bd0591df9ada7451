#pragma once

/// \file
/// Umbrella header of `rill::dist`, the Erlang distribution library (link
/// `rill::dist`). So far: the external term format codec.

#include <rill/dist/etf.hpp>
#include <rill/dist/etf_error.hpp>
