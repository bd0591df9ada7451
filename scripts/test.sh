#!/usr/bin/env bash
# Builds and runs every rill test, in three stages (CMake presets, build/<preset>/):
#   dev   Debug, -Werror: layering check, build, each public header compiled
#         alone (rill_check_headers), the full CTest suite (consumer tests included)
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer): build, CTest
#   tsan  ThreadSanitizer: build, CTest
#   fuzz  clang + libFuzzer: the fuzz targets, a short run of each
# Installs what it needs first (scripts/install-deps.sh).
#
#   scripts/test.sh [stage…]          # default: dev asan tsan fuzz
#
# Environment: RILL_JOBS (build jobs, default: number of CPUs), RILL_TEST_JOBS
# (ctest -j, default 2), RILL_TEST_TIMEOUT (seconds per test, default 300),
# RILL_STRICT_FORMAT=1 (make the clang-format check fail the dev stage).
#
# Exits non-zero when anything fails or a sanitizer reports. Prints one summary
# line per stage, then, last, "N passed, N failed": the CTest results of all
# stages, plus one failure for each step outside CTest that failed (configure,
# build, header check, layering check, a sanitizer report in a passing test).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
repo=$(pwd)

# Erlang/OTP and Elixir: the real peers of the interop tests. Chromium: the
# observer page's browser test.
# clang and its runtimes: the fuzz stage (libFuzzer).
if ! scripts/install-deps.sh erlang-nox erlang-dev elixir clang libclang-rt-14-dev chromium fonts-dejavu-core; then
    echo "test.sh: installing dependencies failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

stages=("$@")
[[ ${#stages[@]} -gt 0 ]] || stages=(dev asan tsan fuzz)
build_jobs=${RILL_JOBS:-$(nproc 2>/dev/null || echo 2)}
test_jobs=${RILL_TEST_JOBS:-2}
test_timeout=${RILL_TEST_TIMEOUT:-300}
cxx=${CXX:-c++}

# Sanitizer reports abort the process, so the test fails. A caller's own
# options come last and win.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# tests/tsan.supp: reports from inside uninstrumented Debian libraries (see the file).
export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:suppressions=$repo/tests/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

sanitizer_report='ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|FATAL: ThreadSanitizer|ThreadSanitizer: reported|: runtime error: |SUMMARY: (Address|Leak|Thread|UndefinedBehavior)Sanitizer'

total_passed=0
total_failed=0
summaries=()

banner() { printf '\n=== %s ===\n' "$*"; }

# step <label> <command…>: runs a step outside CTest; a failure counts once.
step_failed=0
failed_steps=()
step() {
    local label=$1
    shift
    banner "$label"
    if "$@"; then
        return 0
    fi
    echo "test.sh: FAILED: $label" >&2
    step_failed=$((step_failed + 1))
    failed_steps+=("${label#*: }")
    total_failed=$((total_failed + 1))
    return 1
}

# run_ctest <preset> <label-exclude-regex> <wrapper…>: runs the preset's tests
# (less those whose names match ctest_name_exclude, when set), adds their
# counts to the totals, and sets ctest_note for the stage summary.
ctest_note=""
ctest_name_exclude=""
run_ctest() {
    local preset=$1 exclude=$2
    shift 2
    local dir="build/$preset" log rc passed failed total line
    log="$dir/test-sh-ctest.log"
    banner "$preset: ctest"
    rm -f "$dir/Testing/Temporary/LastTest.log"
    "$@" ctest --test-dir "$dir" --output-on-failure --no-tests=error \
        -j "$test_jobs" --timeout "$test_timeout" ${exclude:+-LE "$exclude"} \
        ${ctest_name_exclude:+-E "$ctest_name_exclude"} 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
    if [[ -n "$line" ]]; then
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
        total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
        passed=$((total - failed))
    else
        passed=0
        failed=1 # ctest itself failed (no tests, bad build tree)
    fi
    if [[ $rc -ne 0 && $failed -eq 0 ]]; then
        failed=1
    fi
    ctest_note="ctest $passed passed, $failed failed"
    # A report in a test that still passed (a child process, a swallowed abort).
    if [[ $preset != dev && -f "$dir/Testing/Temporary/LastTest.log" ]] &&
        grep -Eq "$sanitizer_report" "$dir/Testing/Temporary/LastTest.log"; then
        echo "test.sh: sanitizer report found in $dir/Testing/Temporary/LastTest.log:" >&2
        grep -E -m 5 "$sanitizer_report" "$dir/Testing/Temporary/LastTest.log" >&2
        if [[ $failed -eq 0 ]]; then
            failed=1
            step_failed=$((step_failed + 1))
            failed_steps+=("sanitizer report in a passing test")
        fi
        ctest_note+=", sanitizer report"
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    [[ $rc -eq 0 && $failed -eq 0 ]]
}

configure_and_build() {
    local preset=$1
    shift
    step "$preset: configure" "$@" cmake --preset "$preset" || return 1
    step "$preset: build" "$@" cmake --build --preset "$preset" --parallel "$build_jobs" || return 1
}

finish_stage() {
    local stage=$1 detail=$2 ok=$3
    local verdict=PASSED
    [[ $ok -eq 0 && $step_failed -eq 0 ]] || verdict=FAILED
    if [[ ${#failed_steps[@]} -gt 0 ]]; then
        local joined
        joined=$(printf '%s, ' "${failed_steps[@]}")
        detail="failed: ${joined%, }; $detail"
    fi
    summaries+=("$stage: $verdict ($detail)")
    banner "$stage: $verdict ($detail)"
}

# --- probes: can the sanitizers run on this machine? ------------------------

probe_dir="$repo/build/sanitizer-probes"
mkdir -p "$probe_dir"

# GCC 12's TSan aborts with "FATAL: ThreadSanitizer: unexpected memory mapping"
# on kernels with high mmap ASLR entropy (vm.mmap_rnd_bits > 28); running with
# ASLR off (setarch -R) avoids it.
tsan_wrapper=()
tsan_note=""
probe_tsan() {
    local src="$probe_dir/tsan_probe.cpp" bin="$probe_dir/tsan_probe" out
    printf '%s\n' '#include <thread>' \
        'int main() { int x = 0; std::thread t([&] { x = 1; }); t.join(); return x == 1 ? 0 : 1; }' >"$src"
    if ! "$cxx" -std=c++20 -g -fsanitize=thread "$src" -o "$bin" -pthread 2>"$probe_dir/tsan_build.log"; then
        tsan_note="cannot build a TSan program with $cxx (see $probe_dir/tsan_build.log)"
        return 1
    fi
    if out=$("$bin" 2>&1); then
        echo "ThreadSanitizer runs here without changes"
        return 0
    fi
    if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R "$bin" >/dev/null 2>&1; then
        tsan_wrapper=(setarch "$(uname -m)" -R)
        tsan_note="TSan needs ASLR off on this kernel; running under setarch -R"
        echo "test.sh: note: $tsan_note ($(head -n 1 <<<"$out"))"
        return 0
    fi
    tsan_note="a trivial TSan program does not run here: $(head -n 1 <<<"$out")"
    return 1
}

# LeakSanitizer stops the world through ptrace-like means and fails in some
# sandboxes; then every test would die at exit, so leaks go unchecked, loudly.
lsan_note=""
probe_lsan() {
    local src="$probe_dir/lsan_probe.cpp" bin="$probe_dir/lsan_probe" out reason
    printf '%s\n' '#include <cstdlib>' 'void* volatile kept;' \
        'int main() { kept = std::malloc(41); kept = nullptr; return 0; }' >"$src"
    if ! "$cxx" -std=c++20 -g -fsanitize=address "$src" -o "$bin" 2>"$probe_dir/lsan_build.log"; then
        lsan_note="cannot build an ASan program with $cxx (see $probe_dir/lsan_build.log)"
        return 1
    fi
    out=$(ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" "$bin" 2>&1)
    if grep -q 'ERROR: LeakSanitizer: detected memory leaks' <<<"$out"; then
        echo "LeakSanitizer works here: leaks are checked"
        return 0
    fi
    export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
    reason=$({ grep -m 1 'does not work' <<<"$out" || grep -m 1 'Sanitizer' <<<"$out"; } |
        sed -E 's/^==[0-9]+==(HINT: )?//')
    lsan_note="LeakSanitizer does not work on this machine (${reason:-no report for a known leak}); leaks are NOT checked in this run"
    echo "test.sh: WARNING: $lsan_note" >&2
    return 0
}

# --- stages -------------------------------------------------------------------

stage_dev() {
    step_failed=0
    failed_steps=()
    ctest_note="ctest not run"
    local ok=0
    step "dev: layering check" python3 tools/check_layering.py || ok=1
    if configure_and_build dev; then
        step "dev: header check (rill_check_headers)" \
            cmake --build --preset dev --target rill_check_headers --parallel "$build_jobs" || ok=1
        run_ctest dev lint || ok=1
    else
        ok=1
    fi
    format_check || ok=1
    finish_stage dev "$ctest_note; $format_note" "$ok"
}

# clang-format over the C++ sources (STYLE.md 2.8); advisory unless RILL_STRICT_FORMAT=1.
format_note=""
format_check() {
    local out
    banner "dev: clang-format check"
    if out=$(tools/format.sh --check); then
        echo "$out"
        format_note="format ok"
        return 0
    fi
    echo "$out"
    format_note="format: $(grep -c '^  ' <<<"$out") unformatted file(s)"
    if [[ ${RILL_STRICT_FORMAT:-0} == 1 ]]; then
        step_failed=$((step_failed + 1))
        total_failed=$((total_failed + 1))
        failed_steps+=("clang-format")
        return 1
    fi
    format_note+=", advisory"
}

stage_asan() {
    step_failed=0
    failed_steps=()
    ctest_note="ctest not run"
    local ok=0
    banner "asan: LeakSanitizer probe"
    probe_lsan || { step "asan: sanitizer probe ($lsan_note)" false; ok=1; }
    if [[ $ok -eq 0 ]] && configure_and_build asan; then
        run_ctest asan "lint|consumer|browser" || ok=1
    else
        ok=1
    fi
    finish_stage asan "$ctest_note${lsan_note:+; $lsan_note}" "$ok"
}

stage_tsan() {
    step_failed=0
    failed_steps=()
    ctest_note="ctest not run"
    local ok=0
    banner "tsan: ThreadSanitizer probe"
    probe_tsan || { step "tsan: sanitizer probe ($tsan_note)" false; ok=1; }
    # The wrapper also covers the build: gtest_discover_tests runs test binaries.
    # The tests against real BEAM and Elixir nodes run in the dev and asan
    # stages only (TSan slows the rill side tenfold while the BEAM side is
    # not instrumented at all); the distribution's threads are checked here
    # by the rill-to-rill, bad-peer and dist tests, over real sockets too.
    if [[ $ok -eq 0 ]] && configure_and_build tsan "${tsan_wrapper[@]}"; then
        ctest_name_exclude='^(Beam|Elixir)[A-Za-z]*\.'
        run_ctest tsan "lint|consumer|browser" "${tsan_wrapper[@]}" || ok=1
        ctest_name_exclude=""
    else
        ok=1
    fi
    finish_stage tsan "$ctest_note${tsan_note:+; $tsan_note}" "$ok"
}

# The fuzz targets (clang, libFuzzer, ASan+UBSan) on what the network
# sends: a short run of each from the vector seeds (RILL_FUZZ_SECONDS).
# Only the fuzzers are built here; the other stages run the rest.
stage_fuzz() {
    step_failed=0
    failed_steps=()
    ctest_note="ctest not run"
    local ok=0
    if step "fuzz: configure" cmake --preset fuzz -DRILL_FUZZ_SECONDS="${RILL_FUZZ_SECONDS:-12}" &&
        step "fuzz: build" cmake --build --preset fuzz --target rill_fuzzers \
            --parallel "$build_jobs"; then
        banner "fuzz: ctest"
        local log="build/fuzz/test-sh-ctest.log" line passed failed total rc
        ctest --test-dir build/fuzz --output-on-failure -L fuzz -j 1 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
        line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
        if [[ -n "$line" ]]; then
            failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
            total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
        else
            failed=1 total=1
        fi
        [[ $rc -ne 0 && $failed -eq 0 ]] && failed=1
        passed=$((total - failed))
        total_passed=$((total_passed + passed))
        total_failed=$((total_failed + failed))
        ctest_note="ctest $passed passed, $failed failed"
        [[ $failed -eq 0 ]] || ok=1
    else
        ok=1
    fi
    finish_stage fuzz "$ctest_note" "$ok"
}

for stage in "${stages[@]}"; do
    case "$stage" in
    dev) stage_dev ;;
    asan) stage_asan ;;
    tsan) stage_tsan ;;
    fuzz) stage_fuzz ;;
    *)
        echo "test.sh: unknown stage '$stage' (dev, asan, tsan, fuzz)" >&2
        total_failed=$((total_failed + 1))
        summaries+=("$stage: FAILED (unknown stage)")
        ;;
    esac
done

banner "summary"
for line in "${summaries[@]}"; do
    echo "$line"
done
echo "$total_passed passed, $total_failed failed"
[[ $total_failed -eq 0 ]]
