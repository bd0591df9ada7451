#!/usr/bin/env bash
# clang-format over rill's C++ sources (.clang-format, STYLE.md 2.8).
#
#   tools/format.sh            reformat every tracked or new .cpp/.hpp in place
#   tools/format.sh --check    change nothing; list the files that need it, exit 1 if any
#   tools/format.sh [--check] FILE…   only these files
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=0
if [[ ${1:-} == --check ]]; then
    check=1
    shift
fi

files=()
for file in "$@"; do
    case "$file" in
    *.cpp | *.hpp) files+=("$file") ;; # other files named (CMakeLists.txt, ...) are skipped
    esac
done
if [[ $# -eq 0 ]]; then
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp')
    else
        mapfile -t files < <(find include src tests examples bench tools \
            \( -name '*.cpp' -o -name '*.hpp' \) -type f 2>/dev/null | sort)
    fi
fi

if [[ $check -eq 0 ]]; then
    for file in "${files[@]}"; do
        [[ -f "$file" ]] && clang-format -i "$file"
    done
    exit 0
fi

bad=()
for file in "${files[@]}"; do
    [[ -f "$file" ]] || continue
    clang-format --dry-run --Werror "$file" >/dev/null 2>&1 || bad+=("$file")
done
if [[ ${#bad[@]} -eq 0 ]]; then
    echo "format: ${#files[@]} files checked, all formatted"
    exit 0
fi
echo "format: clang-format would change ${#bad[@]} of ${#files[@]} files (tools/format.sh fixes them):"
printf '  %s\n' "${bad[@]}"
exit 1
