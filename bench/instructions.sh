#!/bin/sh
# instructions.sh: user-space instructions a request, counted by callgrind
# (docs/benchmarks.md). Unlike requests/s on this shared machine, the count
# does not move with other load, so a change of a few percent shows.
#
# Runs articled under valgrind --tool=callgrind with one HTTP thread on the
# sample articles, warms it up, zeroes the counters, sends N keep-alive
# requests with h2load and reads the instructions executed for them. With
# ARTICLED_REF set, the reference binary is measured the same way in the same
# go and the ratio printed.
#
# Usage: sh bench/instructions.sh [N]   (N requests a case, default 4000)
# Environment (all optional):
#   ARTICLED_BIN   the binary (./articled)
#   ARTICLED_REF   a reference binary to compare with (e.g. one built from main)
#   BENCH_DATA     content directory (data/articles)
# What valgrind counts: instructions, not time. libmicrohttpd zeroes its
# connection pool with `rep stosb`, which callgrind counts byte by byte, so
# that memset looks far larger than it costs; the counts without memset
# (nearly all of it that pool) are printed too.
set -eu
count=${1:-4000}
bin=${ARTICLED_BIN:-./articled}
ref=${ARTICLED_REF:-}
data=${BENCH_DATA:-data/articles}
slow=$((${ARTICLED_TEST_SLOW:-1} * 20)) # valgrind starts it 20-50 times slower

die() { echo "instructions.sh: $*" >&2; exit 2; }
for t in valgrind callgrind_control callgrind_annotate h2load curl; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing (apt-get install valgrind nghttp2-client curl)"
done
[ -x "$bin" ] || die "no articled binary at $bin (make articled)"
[ -z "$ref" ] || [ -x "$ref" ] || die "ARTICLED_REF=$ref is not an executable"
case $count in *[!0-9]* | '' | 0) die "N must be a positive integer" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/articled-instr.XXXXXX")
vpid=
cleanup() {
    [ -n "$vpid" ] && kill "$vpid" 2>/dev/null && wait "$vpid" 2>/dev/null
    rm -rf "$tmp"
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
. bench/lib.sh

# control OPTION: callgrind_control OPTION on the server. valgrind takes the
# command when the program runs, not while it sleeps in poll(), so a /healthz
# request wakes it (one small request more in a count of thousands).
control() {
    callgrind_control "$1" "$vpid" >/dev/null 2>&1 &
    cpid=$!
    sleep 0.3
    curl -s -o /dev/null --max-time 5 "$base/healthz" || true
    wait "$cpid" || die "callgrind_control $1 failed"
}

# measure BIN: prints "case instructions memset" lines for BIN.
measure() {
    : >"$tmp/log"
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.%p" "$1" --data "$data" --port 0 \
        --bind 127.0.0.1 --threads 1 --access-log false >"$tmp/log" 2>&1 &
    vpid=$!
    wait_ready "$vpid" $((5 * 50))
    id=$(curl -s "$base/v1/articles?per_page=1" | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')
    [ -n "$id" ] || die "no article listed by $1"
    etag=$(curl -s -o /dev/null -D - "$base/v1/articles/$id" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
    for c in "one-article" "one-article-gzip" "304" "list-page"; do
        case $c in
        one-article) set -- "$base/v1/articles/$id" ;;
        one-article-gzip) set -- -H 'Accept-Encoding: gzip' "$base/v1/articles/$id" ;;
        304) set -- -H "If-None-Match: $etag" "$base/v1/articles/$id" ;;
        list-page) set -- "$base/v1/articles" ;;
        esac
        h2load --h1 -n 200 -c 4 -t 1 "$@" >/dev/null 2>&1 || die "h2load failed (warm-up, $c)"
        control -z
        h2load --h1 -n "$count" -c 4 -t 1 "$@" >"$tmp/h2load" 2>&1 || die "h2load failed ($c)"
        grep -q "$count succeeded" "$tmp/h2load" || die "not every request succeeded ($c): $(grep 'requests:' "$tmp/h2load")"
        rm -f "$tmp"/cg.*
        control -d
        dump=$(ls -t "$tmp"/cg.* | head -n 1)
        callgrind_annotate --auto=no --threshold=100 "$dump" 2>/dev/null | awk -v n="$count" -v c="$c" '
            /PROGRAM TOTALS/ { v = $1; gsub(/,/, "", v); total = v }
            /memset/ && /libc/ { v = $1; gsub(/,/, "", v); ms += v }
            END { printf "%s %.0f %.0f\n", c, total / n, ms / n }'
    done
    kill "$vpid"
    wait "$vpid" 2>/dev/null || true
    vpid=
}

echo "# Instructions a request (callgrind, one HTTP thread, $count keep-alive requests a case)"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $("$bin" --version 2>&1 | head -n 1); content: $data."
echo
measure "$bin" >"$tmp/new"
if [ -n "$ref" ]; then
    measure "$ref" >"$tmp/ref"
    echo "| case | articled | reference | ratio | articled without memset | reference without memset |"
    echo "|---|---|---|---|---|---|"
    join "$tmp/new" "$tmp/ref" | awk '{ printf "| %s | %d | %d | %.3f | %d | %d |\n", $1, $2, $4, $2 / $4, $2 - $3, $4 - $5 }'
    echo
    echo "articled: $bin; reference: $ref."
else
    echo "| case | articled | without memset |"
    echo "|---|---|---|"
    awk '{ printf "| %s | %d | %d |\n", $1, $2, $2 - $3 }' "$tmp/new"
fi
