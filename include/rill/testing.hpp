#pragma once

/// \file
/// rill's deterministic test kit, `rill::testing`: helpers for testing your
/// own processes on a deterministic runtime (one thread, a virtual clock,
/// seeded interleavings). It needs no test framework; use it with GoogleTest,
/// Catch2 or plain `main`. See docs/deterministic-testing.md.
///
/// With `using namespace rill;` at namespace scope, a bare `testing::` is
/// ambiguous with GoogleTest's `::testing`: write `rill::testing::` (or a
/// using-declaration per name) in such files.

#include <rill/testing/collect.hpp>
#include <rill/testing/deterministic.hpp>
#include <rill/testing/puppet.hpp>
