#pragma once

/// \file
/// rill::otp, OTP's behaviours: `gen_server` (include/rill/otp/gen_server.hpp)
/// and the calls and casts that reach one (call.hpp). docs/otp.md maps
/// OTP's names to rill's.

#include <rill/otp/call.hpp>
#include <rill/otp/from.hpp>
#include <rill/otp/gen_server.hpp>
#include <rill/otp/logger.hpp>
#include <rill/otp/results.hpp>
#include <rill/otp/server_ref.hpp>
#include <rill/otp/servers.hpp>
#include <rill/otp/start.hpp>
#include <rill/otp/supervisor.hpp>
