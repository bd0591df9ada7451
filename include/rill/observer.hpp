#pragma once

/// \file
/// rill::observer: a live view of a running node — `take_snapshot`
/// (observer/snapshot.hpp), Prometheus text (observer/metrics.hpp) and the
/// HTTP endpoint with its web page (observer/server.hpp). docs/observer.md
/// has the design and the API.

#include <rill/observer/metrics.hpp>
#include <rill/observer/server.hpp>
#include <rill/observer/snapshot.hpp>
#include <rill/observer/trace.hpp>
