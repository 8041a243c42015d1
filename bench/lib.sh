# lib.sh: shell pieces the benchmark scripts share; sourced, not run.
# The caller defines die(), $slow (the ARTICLED_TEST_SLOW factor) and $tmp.

# wait_ready PID READY_TRIES: waits for the articled started as PID (logging to
# $tmp/log) to say which port it listens on, then for /readyz to answer 200,
# polling every 20 ms at most READY_TRIES * $slow times. Sets $port and $base.
wait_ready() {
    port=
    n=0
    while [ -z "$port" ]; do
        port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/log" | head -n 1)
        n=$((n + 1))
        [ $n -gt $((1000 * slow)) ] && die "articled did not start: $(tail -n 3 "$tmp/log")"
        kill -0 "$1" 2>/dev/null || die "articled exited: $(tail -n 3 "$tmp/log")"
        [ -n "$port" ] || sleep 0.01
    done
    base=http://127.0.0.1:$port
    n=0
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time $((2 * slow)) "$base/readyz")" = 200 ]; do
        n=$((n + 1))
        [ $n -gt $(($2 * slow)) ] &&
            die "articled not ready in $(($2 * slow / 50)) s: $(tail -n 3 "$tmp/log")"
        sleep 0.02
    done
}
