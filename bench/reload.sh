#!/bin/sh
# reload.sh [SECONDS] [INTERVAL_MS]: reloads under load (docs/robustness.md).
#
# Starts articled on a temp copy of data/articles and runs wrk for SECONDS (15)
# against an article, the list, a list page and two searches, while sending
# SIGHUP every INTERVAL_MS (200). Before each signal one probe article is added
# to or removed from the directory, so every reload publishes different
# content (and the next search builds a new index). Fails (exit 1) when
# - any response was not 200 (counted by bench/mix.lua's response hook), or
#   wrk reports a socket error (connect, read, write, timeout) or a non-2xx/3xx;
# - fewer reloads were performed than signals sent, less a margin of
#   max(2, 5%): signals that arrive while a reload runs are merged by the kernel;
# - the last reload did not publish the probe's final state.
# Exit 2: a missing tool or a server that does not start.
#
# Environment: ARTICLED_BIN (./articled), RELOAD_CONNECTIONS (16),
# ARTICLED_TEST_SLOW (1): a factor for the interval and every wait, for slow
# builds (valgrind).
set -eu
secs=${1:-15}
interval_ms=${2:-200}
bin=${ARTICLED_BIN:-./articled}
conns=${RELOAD_CONNECTIONS:-16}
slow=${ARTICLED_TEST_SLOW:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
die() { echo "reload.sh: $*" >&2; exit 2; }
for t in wrk curl; do
    command -v "$t" >/dev/null || die "$t is missing (apt-get install wrk curl; tools/deps.sh test)"
done
[ -x "$bin" ] || die "no articled binary at $bin (make)"
case "$secs$interval_ms$slow" in *[!0-9]*) die "SECONDS, INTERVAL_MS and ARTICLED_TEST_SLOW are whole numbers" ;; esac
interval_ms=$((interval_ms * slow))

tmp=$(mktemp -d "${TMPDIR:-/tmp}/articled-reload.XXXXXX")
pid=
wpid=
cleanup() {
    [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$tmp/data"
cp "$here"/data/articles/* "$tmp/data/"
"$bin" --port 0 --bind 127.0.0.1 --access-log false --data "$tmp/data" >"$tmp/log" 2>&1 &
pid=$!
wait_ready "$pid" 500
loaded() { grep -c '"event":"content_loaded"' "$tmp/log" || true; }
before=$(loaded)

WRK_PATHS="/v1/articles/harbour-bridge-reopens /v1/articles /v1/articles?page=2&per_page=2 /v1/articles?q=bridge /v1/articles?q=%22central+bank%22+OR+kim"
export WRK_PATHS
timeout $((secs + 30 * slow)) wrk -t2 -c"$conns" -d"${secs}s" --timeout "$((2 * slow))s" \
    -s "$here/bench/mix.lua" "$base/" >"$tmp/wrk" 2>&1 &
wpid=$!

# SIGHUP every interval until wrk's time is up, toggling the probe article.
probe="$tmp/data/reload-probe.txt"
signals=0
end=$(($(date +%s%N) / 1000000 + secs * 1000))
sleep_s=$(awk -v ms="$interval_ms" 'BEGIN { printf "%.3f", ms / 1000 }')
while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
    if [ -f "$probe" ]; then
        rm -f "$probe"
    else
        printf 'Reload probe %s\n\nAdded before signal %s.\n\nA paragraph about the harbour bridge.\n' \
            "$signals" "$signals" >"$probe"
    fi
    kill -HUP "$pid"
    signals=$((signals + 1))
    sleep "$sleep_s"
done
wait "$wpid" || true
wpid=
# The last reload may still run: wait for the count to settle (at most 10 s).
n=0 last=-1
while [ "$(loaded)" != "$last" ] && [ $n -lt $((20 * slow)) ]; do
    last=$(loaded)
    sleep 0.5
    n=$((n + 1))
done
reloads=$(($(loaded) - before))
want=$([ -f "$probe" ] && echo 6 || echo 5)
total=$(curl -s --max-time $((5 * slow)) -D - -o /dev/null "$base/v1/articles" | tr -d '\r' |
    sed -n 's/^[Xx]-[Tt]otal-[Cc]ount: //p')
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
pid=

mix=$(grep '^mix:' "$tmp/wrk" || true)
requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$tmp/wrk")
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk")
sockerr=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$tmp/wrk")
non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$tmp/wrk")
non200=$(printf '%s' "$mix" | sed -n 's/.*non200 \([0-9]*\).*/\1/p')
margin=$((signals / 20))
[ $margin -lt 2 ] && margin=2

echo "reload: ${secs}s, SIGHUP every ${interval_ms} ms, wrk -t2 -c$conns over 5 paths"
echo "reload: requests ${requests:-0} (${rps:-0}/s), non-200 ${non200:-?}, socket errors ${sockerr:-none}, non-2xx/3xx ${non2xx:-0}"
echo "reload: signals $signals, reloads $reloads (margin $margin), articles listed at the end ${total:-?} (want $want), exit $rc"
fail=0
[ -n "$mix" ] && [ "${requests:-0}" -gt 0 ] || { echo "reload: FAIL: wrk did not run: $(tail -n 5 "$tmp/wrk")"; fail=1; }
[ "${non200:-1}" = 0 ] || { echo "reload: FAIL: responses other than 200: $mix"; fail=1; }
[ -z "$sockerr" ] || { echo "reload: FAIL: socket errors: $sockerr"; fail=1; }
[ -z "$non2xx" ] || { echo "reload: FAIL: $non2xx non-2xx/3xx responses"; fail=1; }
[ "$reloads" -ge $((signals - margin)) ] || { echo "reload: FAIL: $reloads reloads for $signals signals"; fail=1; }
[ "${total:-}" = "$want" ] || { echo "reload: FAIL: the last reload is not served (${total:-no} articles, want $want)"; fail=1; }
[ "$rc" = 0 ] || { echo "reload: FAIL: articled exited $rc after SIGTERM"; fail=1; }
grep -E '"level":"(error|fatal)"' "$tmp/log" | head -n 5 | sed 's/^/reload: FAIL: logged: /' | grep . && fail=1
[ $fail = 0 ] && echo "reload: ok"
exit $fail
