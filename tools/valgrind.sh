#!/bin/sh
# valgrind.sh BUILD_DIR TEST_BINARY...: runs each Criterion binary under
# valgrind memcheck, with every forked test child and every articled process the
# tests start, and fails on any memory error or leak (docs/robustness.md).
#
# - Criterion forks and re-executes the binary for each test; valgrind follows
#   with --trace-children=yes. Programs from the system (sh, cp, curl, nginx,
#   node, strace, ...) are skipped: they are not ours.
# - ARTICLED_BIN points at a wrapper that execs `valgrind ... BUILD_DIR/articled`,
#   so the servers the process, crash and deployment tests start are checked too.
# - Leaks of the kinds definite, indirect and possible count as errors;
#   tools/valgrind.supp holds the only suppressions (third-party globals).
# - A process killed by a signal (the crash tests SIGKILL articled on purpose)
#   leaves no summary: its log is counted as "killed", not as clean and not as
#   failed. Nor do test children that fork and exec a system program (system(),
#   popen()): those logs end after their header and are not counted.
#
# Environment: VALGRIND_JOBS binaries at once (2), VALGRIND_LOGS a directory to
# keep every log in (default: a temp dir, removed when all is clean),
# ARTICLED_TEST_SLOW (exported as 5 unless set) stretches the tests' time limits
# where a test reads it (tests/support/harness.h, bench/reload.sh, bench/soak.sh).
# Prints one line per binary and the closing line "valgrind: N passed, N failed".
set -u

if [ "${1:-}" = --one ]; then
    # --one BUILD_DIR LOGROOT TEST: one binary, called through xargs below.
    b=$2 root=$3 t=$4
    name=$(printf %s "$t" | sed "s|.*/tests/||; s|/|-|g") # unit/test_memo and http/test_memo apart
    dir="$root/$name"
    mkdir -p "$dir"
    export VALGRIND_ARTICLED_LOGS="$dir"
    start=$(date +%s)
    # shellcheck disable=SC2086
    valgrind $VG_OPTS --trace-children=yes --trace-children-skip="$VG_SKIP" \
        --log-file="$dir/vg.%p.log" "$t" --jobs 1 >"$dir/out.txt" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    syn=$(grep 'Synthesis:' "$dir/out.txt" | tail -n 1)
    p=$(printf '%s' "$syn" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    f=$(printf '%s' "$syn" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    c=$(printf '%s' "$syn" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    # One line per log: errors (leaks included), or "killed" without a summary.
    logs=0 killed=0 errs=0 bad=""
    for l in "$dir"/vg.*.log "$dir"/articled.*.log; do
        [ -f "$l" ] || continue
        e=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$l" | tail -n 1)
        case $l in */vg.*) [ -z "$e" ] && continue ;; esac # forked, then exec'd a skipped program
        logs=$((logs + 1))
        if [ -z "$e" ]; then
            killed=$((killed + 1))
        elif [ "$e" -ne 0 ]; then
            errs=$((errs + e))
            bad="$bad $(basename "$l")"
        fi
    done
    leaks=$(cat "$dir"/*.log 2>/dev/null | awk '
        /(definitely|indirectly|possibly) lost:/ { gsub(/,/, "", $4); n += $4 }
        END { print n + 0 }')
    printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$name" "${p:-0}" "${f:-0}" "${c:-0}" "$rc" \
        "$logs" "$killed" "$errs" "$leaks" "$secs" >"$dir/result"
    [ -n "$syn" ] || tail -n 20 "$dir/out.txt" >"$dir/missing-synthesis"
    printf '%s\n' "$bad" >"$dir/bad"
    exit 0
fi

b=$1
shift
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
[ -x "$b/articled" ] || { echo "valgrind.sh: no $b/articled (make)" >&2; exit 2; }
if nm "$b/articled" 2>/dev/null | grep -q __asan_init; then
    echo "valgrind.sh: $b is a sanitizer build; valgrind runs the plain one (make valgrind)" >&2
    exit 2
fi
jobs=${VALGRIND_JOBS:-2}
keep=${VALGRIND_LOGS:-}
root=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/articled-valgrind.XXXXXX")}
mkdir -p "$root/bin"
rm -rf "${root:?}"/test_* 2>/dev/null
here=$(pwd)

VG_OPTS="--leak-check=full --show-leak-kinds=definite,indirect,possible \
--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
--suppressions=$here/tools/valgrind.supp --num-callers=30 ${VALGRIND_EXTRA:-}"
# Executables valgrind does not follow into: the system's programs and the wrapper
# (which starts its own valgrind: valgrind cannot run inside valgrind).
VG_SKIP="/bin/*,/usr/*,/sbin/*,/lib/*,$root/bin/*"
export VG_OPTS VG_SKIP

cat >"$root/bin/articled" <<EOF
#!/bin/sh
# valgrind.sh's stand-in for articled: the real binary under memcheck.
exec valgrind $VG_OPTS --log-file="\${VALGRIND_ARTICLED_LOGS:-$root}/articled.%p.log" "$here/$b/articled" "\$@"
EOF
chmod +x "$root/bin/articled"
export ARTICLED_BIN="$root/bin/articled"
export ARTICLED_CRASHTEST="$here/$b/tests/crash/crashtest"
export ARTICLED_TEST_SLOW="${ARTICLED_TEST_SLOW:-5}"

start=$(date +%s)
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one "$b" "$root" {}

echo "| binary | tests passed | failed | crashed | processes checked | killed (no summary) | valgrind errors | bytes lost | seconds |"
echo "|---|---|---|---|---|---|---|---|---|"
passed=0 failed=0 status=0 nerr=0 nleak=0 nlogs=0
for t in "$@"; do
    name=$(printf %s "$t" | sed "s|.*/tests/||; s|/|-|g") # unit/test_memo and http/test_memo apart
    r="$root/$name/result"
    if [ ! -f "$r" ]; then
        echo "| $name | no result | | | | | | | |"
        failed=$((failed + 1)) status=1
        continue
    fi
    IFS='|' read -r n p f c rc logs killed errs leaks secs <"$r"
    echo "| $n | $p | $f | $c | $logs | $killed | $errs | $leaks | $secs |"
    passed=$((passed + p))
    failed=$((failed + f + c))
    nerr=$((nerr + errs)) nleak=$((nleak + leaks)) nlogs=$((nlogs + logs))
    [ $((f + c)) -eq 0 ] || status=1
    [ -f "$root/$name/missing-synthesis" ] && { status=1; failed=$((failed + 1)); cat "$root/$name/missing-synthesis"; }
    if [ "$errs" -ne 0 ]; then
        status=1
        for l in $(cat "$root/$name/bad"); do
            echo "--- $name: $l"
            grep -v -E '^==[0-9]+== *$' "$root/$name/$l" | sed -n '/Command:/p; /ERROR SUMMARY/p; /^==[0-9]*== [A-Z][a-z].*\(Invalid\|uninitialised\|lost in\|Mismatched\|overlap\|fishy\|Syscall\)/,/^==[0-9]*== *$/p' | head -n 60
        done
    fi
    [ $((f + c)) -eq 0 ] || grep -E 'FAIL|Assertion|Timeout|CRASH|signal' "$root/$name/out.txt" | head -n 20
done
# Servers started with a cleaned environment log beside the binaries' directories.
for l in "$root"/articled.*.log; do
    [ -f "$l" ] || continue
    nlogs=$((nlogs + 1))
    e=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$l" | tail -n 1)
    if [ -n "$e" ] && [ "$e" -ne 0 ]; then
        nerr=$((nerr + e)) status=1
        echo "--- $l"
        grep -E 'Command:|ERROR SUMMARY|lost in|Invalid|uninitialised' "$l" | head -n 20
    fi
done
echo
echo "valgrind: $# binaries, $nlogs processes checked, $nerr errors, $nleak bytes lost, $(($(date +%s) - start)) s"
echo "valgrind: $passed passed, $failed failed"
if [ "$status" -eq 0 ] && [ -z "$keep" ]; then
    rm -rf "$root"
else
    echo "valgrind logs: $root"
fi
exit $status
