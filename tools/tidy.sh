#!/usr/bin/env bash
# clang-tidy (.clang-tidy, STYLE.md 2.9) on the .cpp files changed since a git
# revision, or on the files given; headers are checked through the files that
# include them (HeaderFilterRegex). Needs compile_commands.json: the dev preset
# writes one (cmake --preset dev).
#
#   tools/tidy.sh [-p BUILD_DIR] [--since REV] [FILE…]   (defaults: build/dev, HEAD)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=build/dev
since=HEAD
while [[ $# -gt 0 ]]; do
    case "$1" in
    -p) build_dir=$2; shift 2 ;;
    --since) since=$2; shift 2 ;;
    *) break ;;
    esac
done

if [[ ! -f "$build_dir/compile_commands.json" ]]; then
    echo "tidy: $build_dir/compile_commands.json missing; run: cmake --preset dev" >&2
    exit 2
fi

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
    mapfile -t files < <({
        git diff --name-only "$since" -- '*.cpp' 2>/dev/null
        git ls-files --others --exclude-standard -- '*.cpp'
    } | sort -u)
fi
# Only translation units the build knows (the consumer projects are not in it).
known=()
for file in "${files[@]}"; do
    [[ -f "$file" ]] && grep -qF "$(realpath "$file")" "$build_dir/compile_commands.json" &&
        known+=("$file")
done
if [[ ${#known[@]} -eq 0 ]]; then
    echo "tidy: no changed translation units to check"
    exit 0
fi
echo "tidy: checking ${#known[@]} file(s)"
clang-tidy -p "$build_dir" --quiet "${known[@]}"
