#!/bin/sh
# slow.sh: slowloris (slow headers) and slow-body attacks with slowhttptest,
# straight at articled (no proxy), while a normal client keeps asking for the
# seed article. Passes when, during each attack, the normal client has no error
# and a p99 under SLOW_P99_MS, and the attack connections are closed by
# articled's deadlines (slowhttptest's own report). Prints the figures
# (docs/abuse.md quotes them). Bounded: about a minute; stops by itself.
#
# Run from the repository root: `make abuse-slow`, or by the suite
# (tests/http/test_slow.c). ARTICLED_BIN names the binary (default ./articled).
# SLOW_CONNECTIONS (1500), SLOW_P99_MS (1000), SLOW_MAX_CONNECTIONS (articled's
# max_connections; default: the attack plus 1000).
set -eu
bin=${ARTICLED_BIN:-./articled}
conns=${SLOW_CONNECTIONS:-1500}
p99_max=${SLOW_P99_MS:-1000}
max_conns=${SLOW_MAX_CONNECTIONS:-$((conns + 1000))}
deadline=5 # header_timeout and body_timeout for this run, in seconds
rate=750   # attack connections opened per second
limit=30   # slowhttptest gives up after this many seconds (articled should end it first)

command -v slowhttptest >/dev/null || { echo "slow.sh: slowhttptest is missing (tools/deps.sh test)" >&2; exit 1; }
command -v curl >/dev/null || { echo "slow.sh: curl is missing" >&2; exit 1; }
[ -d data/articles ] || { echo "slow.sh: run from the repository root" >&2; exit 1; }

# Each attack connection is a descriptor here and one in articled.
want_fds=$((conns * 2 + 512))
[ "$(ulimit -n)" -ge "$want_fds" ] || ulimit -n "$want_fds" 2>/dev/null || {
    echo "slow.sh: cannot raise the descriptor limit to $want_fds (hard limit $(ulimit -Hn))" >&2
    exit 1
}

work=$(mktemp -d /tmp/articled-slow-XXXXXX)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir "$work/data"
cp data/articles/* "$work/data/"

# Room for every attack connection and the normal client: the limit is sized
# above the attack, and the deadlines free the slots (docs/abuse.md).
"$bin" --port 0 --data "$work/data" --access-log false --threads 2 \
    --max-connections "$max_conns" --header-timeout $deadline --body-timeout $deadline \
    >"$work/articled.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$work/articled.log")
    [ -n "$port" ] && grep -q content_loaded "$work/articled.log" && break
    sleep 0.1
done
[ -n "$port" ] || { echo "slow.sh: articled did not start:" >&2; cat "$work/articled.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
seed="$base/v1/articles/north-koreas-kim-visiting-china-at-xi-jinpings-invitation"

# The normal client: a new connection per request, 20 a second, for n seconds;
# one line per request: status and seconds.
normal_client() {
    n=$1
    out=$2
    set --
    for _ in $(seq $((n * 20))); do
        set -- "$@" -o /dev/null "$seed"
    done
    curl -s --rate 20/s --max-time 5 -H 'Connection: close' -w '%{http_code} %{time_total}\n' \
        "$@" >"$out" 2>/dev/null || true
}

# Prints "requests errors p50_ms p99_ms max_ms" for a normal client's lines.
latency() {
    awk '{ n++; if ($1 != "200") e++; else t[++k] = $2 * 1000 }
         END { if (k == 0) { print n + 0, e + 0, "-", "-", "-"; exit }
               # the times sorted by insertion (k is small)
               for (i = 2; i <= k; i++) { v = t[i]; j = i - 1
                   while (j > 0 && t[j] > v) { t[j + 1] = t[j]; j-- } t[j + 1] = v }
               p50 = t[int((k - 1) * 0.50) + 1]; p99 = t[int((k - 1) * 0.99) + 1]
               printf "%d %d %.1f %.1f %.1f\n", n, e + 0, p50, p99, t[k] }' "$1"
}

fail=0
normal_client 3 "$work/quiet.txt"
set -- $(latency "$work/quiet.txt")
echo "figures: slow: articled max_connections $max_conns, header_timeout and body_timeout $deadline s"
echo "figures: slow: no attack: normal client $1 requests, $2 errors, p50 $3 ms, p99 $4 ms, max $5 ms"

attack() {
    name=$1
    shift
    slowhttptest "$@" -c "$conns" -r $rate -i 1 -l $limit -p 3 -g -o "$work/$name" \
        >"$work/$name.out" 2>&1 &
    spid=$!
    # The normal client runs while the attack connections are open: from the
    # first second until the first of them reach their deadline and more.
    sleep 1
    normal_client $((deadline + 2)) "$work/$name.txt"
    wait "$spid" || true
    set -- $(latency "$work/$name.txt")
    # slowhttptest's CSV, one line a second: seconds,closed,pending,connected,...
    peak=$(awk -F, 'NR > 1 && $4 > m { m = $4 } END { print m + 0 }' "$work/$name.csv")
    first=$(awk -F, 'NR > 1 && $2 > 0 { print $1; exit }' "$work/$name.csv")
    # "No open connections left" before its own time limit: articled closed them all.
    ended=$(sed -n 's/.*Test ended on \([0-9]*\)[a-z]* second.*/\1/p' "$work/$name.out")
    grep -q "No open connections left" "$work/$name.out" && all=yes || all=no
    echo "figures: slow: $name: $conns attack connections opened at $rate/s (peak $peak open at once); articled closed the first after ${first:-?} s and all by ${ended:-?} s (all closed: $all; deadline $deadline s)"
    echo "figures: slow: $name: normal client $1 requests, $2 errors, p50 $3 ms, p99 $4 ms, max $5 ms"
    if [ "$2" -ne 0 ] || [ "$3" = "-" ]; then
        echo "FAIL $name: the normal client had $2 errors in $1 requests"
        fail=1
    elif awk -v p="$4" -v m="$p99_max" 'BEGIN { exit !(p > m) }'; then
        echo "FAIL $name: the normal client's p99 $4 ms is over $p99_max ms"
        fail=1
    fi
    if [ "$all" != yes ] || [ "${ended:-$limit}" -ge $limit ]; then
        echo "FAIL $name: the attack connections were not all closed by articled"
        tail -n 8 "$work/$name.out"
        fail=1
    fi
}

attack slowloris -H -x 24 -u "$seed"
attack slow-body -B -x 24 -s 8192 -t POST -u "$base/v1/annotate"

kill -0 "$pid" 2>/dev/null || { echo "FAIL articled died during the attacks"; fail=1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")
[ "$code" = 200 ] || { echo "FAIL /healthz answered $code after the attacks"; fail=1; }
exit $fail
