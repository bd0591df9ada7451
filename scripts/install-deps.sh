#!/usr/bin/env bash
# Installs the Debian 12 packages rill's build, tests and scripts need.
# Does nothing (and asks for no privileges) when they are all present already.
#
#   scripts/install-deps.sh [extra-package…]
#
# Uses sudo only when not root and sudo exists. Quiet on success; on failure
# prints apt's output and exits non-zero.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config python3
    libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
    libcpp-httplib-dev nlohmann-json3-dev
    zlib1g-dev libssl-dev libasio-dev
    clang-format
    "$@"
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
    if [[ "$status" != ii* ]]; then
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: apt-get not found; install them by hand (Debian 12 names)" >&2
    exit 1
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-deps: missing packages: ${missing[*]}" >&2
        echo "install-deps: not root and no sudo; install them as root" >&2
        exit 1
    fi
fi

echo "install-deps: installing ${missing[*]}"
log=$(mktemp "${TMPDIR:-/tmp}/rill-install-deps.XXXXXX")
trap 'rm -f "$log"' EXIT

run() {
    if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >>"$log" 2>&1; then
        echo "install-deps: FAILED: $*" >&2
        tail -n 40 "$log" >&2
        exit 1
    fi
}

run apt-get update -q
run apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
