#!/bin/sh
# connections.sh [SECONDS]: wrk against one article at 128, 256, 384 and 512
# keep-alive connections on the shipped build; prints requests/s, p99 and errors
# per level, and fails when a level has errors or falls under 10% of the
# 128-connection rate (libmicrohttpd's epoll stall gives ~0.1%: docs/operations.md).
set -eu
secs=${1:-5}
bin=${ARTICLED_BIN:-./articled}
command -v wrk >/dev/null || { echo "connections.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
log=$(mktemp)
"$bin" --port 0 --access-log false --max-connections 2000 --data data/articles >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q content_loaded "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$log")
url="http://127.0.0.1:$port/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"
printf '| connections | requests/s | p99 | errors |\n|---|---|---|---|\n'
base=0
fail=0
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
    [ "$r" -lt $((base / 10)) ] && fail=1
done
exit $fail
