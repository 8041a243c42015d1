#!/bin/sh
# fuzz/brief.sh: every fuzz target briefly, for the test suite
# (tests/http/test_fuzz.c). Builds the targets (fuzz/run.sh build), then runs
# each on a copy of its seed corpus: every seed once, then BRIEF_RUNS (default
# 2000) mutations with a fixed seed, so a run is repeatable. Prints one line per
# target and exits 0 when none found anything; a finding is saved under
# build/fuzz/brief-artifacts/. The long runs are fuzz/run.sh (make fuzz).
set -u
cd "$(dirname "$0")/.." || exit 2
B=build/fuzz
TARGETS="textformat jsondoc mergepatch router annotate config search extract"
RUNS=${BRIEF_RUNS:-2000}

mkdir -p "$B/logs" "$B/brief-artifacts"
build_log="$B/logs/brief-build.log"
sh fuzz/run.sh build > "$build_log" 2>&1 || {
    grep '^fuzz:' "$build_log" | grep -v '^fuzz: cc ' >&2
    tail -n 15 "$build_log" | grep -v '^fuzz:' >&2
    echo "fuzz/brief.sh: the fuzz targets did not build (log: $build_log)" >&2
    exit 1
}
status=0
for t in $TARGETS; do
    work=$(mktemp -d "$B/brief-$t.XXXXXX") || exit 2
    cp fuzz/corpus/"$t"/* "$work/"
    log="$B/logs/brief-$t.log"
    "$B/$t" -seed=1 -runs="$RUNS" -max_total_time=60 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$B/brief-artifacts/$t-" "$work" > "$log" 2>&1
    rc=$?
    rm -rf "$work"
    seeds=$(ls fuzz/corpus/"$t" | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz $t: ok ($seeds seeds, $RUNS runs)"
    else
        status=1
        echo "fuzz $t: FOUND (exit $rc), log $log:"
        grep -m 3 -E '^SUMMARY:|ERROR:|runtime error:|round trip|Test unit written' "$log" | sed 's/^/    /'
    fi
done
exit $status
