#!/bin/sh
# fuzz/run.sh TARGET|all SECONDS: builds the libFuzzer targets of fuzz/*.c with
# clang (ASan and UBSan, the library sources linked in directly) into
# build/fuzz/, then runs each for SECONDS on a copy of its seed corpus
# (build/fuzz/corpus/TARGET: the repository's fuzz/corpus is never written)
# and prints per target the executions, exec/s, coverage and findings.
# `fuzz/run.sh build` only builds. A finding is saved under
# build/fuzz/artifacts/TARGET/; replay it with `build/fuzz/TARGET FILE`.
# Environment: CLANG (default clang), JOBS (targets at once, default 1: the
# runs are nice'd but each takes a core), KEEP_GOING=1 (libFuzzer's fork mode:
# record each crash and go on fuzzing, for long runs past a known bug),
# FUZZ_ARGS (more libFuzzer flags).
# Exits 1 when a target found something, 2 on a build or usage error.
set -u
cd "$(dirname "$0")/.." || exit 2

TARGETS="textformat jsondoc mergepatch router annotate config search extract"
PKGS="libmicrohttpd libcjson libcurl zlib libxml-2.0"
B=build/fuzz
CLANG=${CLANG:-clang}
JOBS=${JOBS:-1}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -I. $(pkg-config --cflags $PKGS) $SAN"
WARN="-Wall -Wextra -Wpedantic -Wshadow -Werror"
LIBS="$(pkg-config --libs $PKGS) -lstemmer -lpthread -lm"

usage() {
    echo "usage: fuzz/run.sh TARGET|all SECONDS   (targets: $TARGETS), or fuzz/run.sh build" >&2
    exit 2
}

# clang's libFuzzer runtime is a separate Debian package: say so plainly.
check_runtime() {
    mkdir -p "$B"
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
        > "$B/probe.c"
    if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$B/probe" "$B/probe.c" > "$B/probe.log" 2>&1; then
        echo "fuzz: cannot link a libFuzzer target with $CLANG: clang's fuzzer runtime is missing." >&2
        echo "fuzz: install it with: apt-get install -y clang libclang-rt-14-dev libfuzzer-14-dev" >&2
        sed 's/^/fuzz:   /' "$B/probe.log" | tail -n 5 >&2
        exit 2
    fi
}

# Compiles src into obj when obj is missing or older than src or any header.
compile() {
    src=$1 obj=$2 extra=$3
    if [ -f "$obj" ] && [ -z "$(find "$src" $HEADERS -newer "$obj" 2>/dev/null | head -n 1)" ]; then
        return 0
    fi
    mkdir -p "$(dirname "$obj")"
    echo "fuzz: cc $src"
    # shellcheck disable=SC2086
    "$CLANG" $CFLAGS $extra -c -o "$obj.$$" "$src" && mv -f "$obj.$$" "$obj" || return 1
}

build() {
    check_runtime
    HEADERS=$(find models server handlers config -name '*.h' | sort)
    mkdir -p "$B/obj"
    gaz=$(ls models/annotate/gazetteers/*.tsv | sort)
    # shellcheck disable=SC2086
    if [ ! -f "$B/gaz.c" ] || [ -n "$(find $gaz tools/embed.sh -newer "$B/gaz.c" | head -n 1)" ]; then
        sh tools/embed.sh embedded_gazetteers $gaz > "$B/gaz.c.$$" && mv "$B/gaz.c.$$" "$B/gaz.c" || return 1
    fi
    if [ ! -f "$B/openapi.c" ] || [ docs/openapi.json -nt "$B/openapi.c" ]; then
        sh tools/embed.sh embedded_openapi docs/openapi.json > "$B/openapi.c.$$" &&
            mv "$B/openapi.c.$$" "$B/openapi.c" || return 1
    fi
    srcs=$(ls server/*.c handlers/*.c models/*.c models/annotate/*.c config/*.c | grep -v '^server/main\.c$')
    objs=""
    for s in $srcs "$B/gaz.c" "$B/openapi.c"; do
        objs="$objs $B/obj/$(echo "$s" | sed "s|^$B/||; s|\.c$|.o|")"
    done
    # Two compilers at once: the machine is shared.
    for s in $srcs "$B/gaz.c" "$B/openapi.c"; do
        echo "$s" "$B/obj/$(echo "$s" | sed "s|^$B/||; s|\.c$|.o|")"
    done | xargs -P 2 -n 2 sh fuzz/run.sh --cc || return 1
    # shellcheck disable=SC2086
    ar rcs "$B/libfuzz.a.$$" $objs && mv -f "$B/libfuzz.a.$$" "$B/libfuzz.a" || return 1
    for t in $TARGETS; do
        compile "fuzz/$t.c" "$B/obj/fuzz/$t.o" "$WARN -fsanitize=fuzzer-no-link" || return 1
        if [ ! -x "$B/$t" ] || [ "$B/obj/fuzz/$t.o" -nt "$B/$t" ] || [ "$B/libfuzz.a" -nt "$B/$t" ]; then
            # shellcheck disable=SC2086
            # Linked aside and renamed: a running fork-mode fuzzer re-executes its binary.
            "$CLANG" -fsanitize=fuzzer $SAN -o "$B/$t.$$" "$B/obj/fuzz/$t.o" "$B/libfuzz.a" $LIBS &&
                mv -f "$B/$t.$$" "$B/$t" || return 1
        fi
    done
}

# One build at a time (the test suite may build while a long run does); each
# output is written aside and renamed, so a running fuzzer never sees half a file.
locked_build() {
    mkdir -p "$B"
    if command -v flock > /dev/null; then
        (flock 9 && build) 9> "$B/.build-lock"
    else
        build
    fi
}

# Runs one target for $SECONDS and writes its summary line to $B/logs/T.summary.
run_one() {
    t=$1
    mkdir -p "$B/corpus/$t" "$B/artifacts/$t" "$B/logs"
    cp fuzz/corpus/"$t"/* "$B/corpus/$t/" 2>/dev/null
    before=$(ls "$B/artifacts/$t" | wc -l)
    mode=""
    [ "${KEEP_GOING:-0}" = 1 ] && mode="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
    log="$B/logs/$t.log"
    start=$(date +%s)
    # shellcheck disable=SC2086
    nice -n 10 "$B/$t" -max_total_time="$SECONDS" -rss_limit_mb=2048 -timeout=25 \
        -print_final_stats=1 -artifact_prefix="$B/artifacts/$t/" $mode ${FUZZ_ARGS:-} \
        "$B/corpus/$t" > "$log" 2>&1
    rc=$?
    elapsed=$(($(date +%s) - start))
    if [ -n "$mode" ]; then
        # fork mode: "#RUNS: cov: N ft: N corp: N exec/s N oom/timeout/crash: a/b/c time: Ns"
        last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1)
        execs=$(echo "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
        rate=$((${execs:-0} / (elapsed > 0 ? elapsed : 1))) # the line's rate is the last job's
        cov=$(echo "$last" | grep -o 'cov: [0-9]* ft: [0-9]*')
    else
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
        cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
    fi
    corpus=$(ls "$B/corpus/$t" | wc -l)
    after=$(ls "$B/artifacts/$t" | wc -l)
    found=$((after - before))
    if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
        what=$(grep -m 1 -E '^SUMMARY:|^==[0-9]+== ?ERROR|runtime error:|ALARM|out-of-memory' "$log" | cut -c 1-160)
        findings="FOUND ($found new in $B/artifacts/$t/, rc $rc): ${what:-see $log}"
    else
        findings="none"
    fi
    printf '%-11s %6ss executions %-11s exec/s %-7s %-22s corpus %-6s findings: %s\n' \
        "$t" "$elapsed" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$corpus" "$findings" \
        > "$B/logs/$t.summary"
    cat "$B/logs/$t.summary"
}

[ $# -ge 1 ] || usage
if [ "$1" = --cc ]; then # internal: one library object, for the parallel build
    HEADERS=$(find models server handlers config -name '*.h')
    compile "$2" "$3" "-fsanitize=fuzzer-no-link"
    exit
fi
if [ "$1" = build ]; then
    locked_build || { echo "fuzz: build failed" >&2; exit 2; }
    exit 0
fi
[ $# -eq 2 ] || usage
case $2 in '' | *[!0-9]*) usage ;; esac
SECONDS=$2
if [ "$1" = all ]; then
    list=$TARGETS
else
    case " $TARGETS " in *" $1 "*) list=$1 ;; *) usage ;; esac
fi
locked_build || { echo "fuzz: build failed" >&2; exit 2; }

echo "fuzz: running $(echo $list | wc -w) target(s) for ${SECONDS}s each, $JOBS at once (logs: $B/logs/)"
running=0
for t in $list; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait
        running=0
    fi
done
wait

echo "fuzz: summary"
status=0
for t in $list; do
    cat "$B/logs/$t.summary"
    grep -q 'findings: none' "$B/logs/$t.summary" || status=1
done
exit $status
