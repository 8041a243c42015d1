#!/bin/sh
# connections.sh [SECONDS]: wrk against one article at 128, 256, 384 and 512
# keep-alive connections on the shipped build, with the default HTTP threads
# and with one; prints requests/s, p99 and errors per level, and fails when a
# level has errors or falls under half the 128-connection rate. libmicrohttpd's
# epoll stall at multiples of 128 ready connections (docs/operations.md) gave
# ~0.1% with its own threads; in articled's loop a stall would last one 50 ms
# tick, which one thread at 256 connections showed as a third of the rate.
set -eu
secs=${1:-5}
bin=${ARTICLED_BIN:-./articled}
command -v wrk >/dev/null || { echo "connections.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
log=$(mktemp)
pid=
trap 'if [ -n "$pid" ]; then kill $pid 2>/dev/null; fi; rm -f "$log"' EXIT
fail=0
for threads in 0 1; do
    "$bin" --port 0 --access-log false --max-connections 2000 --threads $threads \
        --data data/articles >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do grep -q content_loaded "$log" && break; sleep 0.1; done
    port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$log")
    url="http://127.0.0.1:$port/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"
    [ "$threads" = 0 ] && label="threads: one per core" || label="threads: 1"
    printf '\n%s\n\n| connections | requests/s | p99 | errors |\n|---|---|---|---|\n' "$label"
    base=0
    for c in 128 256 384 512; do
        out=$(wrk -t2 -c$c -d${secs}s --latency "$url")
        rps=$(printf '%s\n' "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
        p99=$(printf '%s\n' "$out" | sed -n 's/^ *99% *\([0-9.a-z]*\).*/\1/p')
        errs=$(printf '%s\n' "$out" | sed -n 's/.*Socket errors: \(.*\)/\1/p')
        non2xx=$(printf '%s\n' "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
        printf '| %s | %s | %s | %s |\n' "$c" "$rps" "$p99" "${errs:-none}${non2xx:+, non-2xx $non2xx}"
        r=${rps%.*}
        [ "$c" = 128 ] && base=$r
        [ -n "$errs$non2xx" ] && fail=1
        [ "$r" -lt $((base / 2)) ] && fail=1
    done
    kill $pid
    wait $pid 2>/dev/null || true
    pid=
done
exit $fail
