#!/usr/bin/env bash
# Builds rill's showcase (examples/showcase.cpp, `release` preset) and runs it.
# Installs what it needs first (scripts/install-deps.sh).
#
#   scripts/showcase.sh [showcase arguments…]
#
# Environment: RILL_JOBS (build jobs, default: number of CPUs).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

if [[ ! -f examples/showcase.cpp ]]; then
    echo "showcase.sh: examples/showcase.cpp does not exist yet; nothing to build" >&2
    exit 1
fi

jobs=${RILL_JOBS:-$(nproc 2>/dev/null || echo 2)}

echo "showcase.sh: configuring (preset release, build/release)"
log=$(mktemp "${TMPDIR:-/tmp}/rill-showcase-configure.XXXXXX")
if ! cmake --preset release >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
fi
rm -f "$log"

echo "showcase.sh: building target showcase"
cmake --build --preset release --target showcase --parallel "$jobs"

binary=$(find build/release -type f -name showcase -perm -u+x -print -quit)
if [[ -z "$binary" ]]; then
    echo "showcase.sh: built, but no showcase executable under build/release" >&2
    exit 1
fi

echo "showcase.sh: running $binary"
exec "$binary" "$@"
