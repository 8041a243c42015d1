#!/bin/sh
# soak.sh [SECONDS]: articled under a mixed load for SECONDS (600), with its
# memory sampled, then judged (docs/robustness.md).
#
# Content: a temp copy of data/articles plus SOAK_CORPUS_FILES (300) articles
# of the BBC corpus (../shared/corpus/bbc, copied flat, never into the
# repository). A write token is set. For the whole duration:
# - reads: wrk (bench/mix.lua) over articles, entities, quotes, list pages and
#   searches; every answer must be 200;
# - writes: one client loop of POST (create), PUT (replace), PATCH
#   (application/merge-patch+json), GET of what was written, and DELETE of the
#   article written SOAK_KEEP (20) rounds earlier; each must get its status
#   (201, 200, 200, 200, 204);
# - SIGHUP every SOAK_HUP (5) seconds: a full reload of the directory;
# - every SOAK_SAMPLE (10) seconds: VmRSS, open descriptors, threads, articles
#   and requests served (/metrics), printed as a table at the end.
# Judged: no failed read, no unexpected write status, no socket error, no
# failed reload, a clean exit on SIGTERM; and, for runs of at least 120 s,
# flat memory: after a warm-up (the first 10%, at least 30 s), the mean VmRSS
# of the last third of the samples may exceed that of the first third by at
# most SOAK_MAX_GROWTH_KB (2048) and by at most 10%; open descriptors may
# grow by at most 16. Exit 1 when a check fails, 2 when it cannot run.
#
# Environment: ARTICLED_BIN (./articled), SOAK_CORPUS (../shared/corpus/bbc;
# empty: none), SOAK_CONNECTIONS (8), SOAK_WRITE_PAUSE (0.02 s between write
# rounds), ARTICLED_TEST_SLOW (1) stretches waits for slow builds.
set -eu
secs=${1:-600}
bin=${ARTICLED_BIN:-./articled}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
if [ "${SOAK_CORPUS+set}" = set ]; then corpus=$SOAK_CORPUS; else corpus=$here/../shared/corpus/bbc; fi
nfiles=${SOAK_CORPUS_FILES:-300}
sample=${SOAK_SAMPLE:-10}
hup=${SOAK_HUP:-5}
keep=${SOAK_KEEP:-20}
conns=${SOAK_CONNECTIONS:-8}
pause=${SOAK_WRITE_PAUSE:-0.02}
maxgrow=${SOAK_MAX_GROWTH_KB:-2048}
slow=${ARTICLED_TEST_SLOW:-1}
token=soak-token-$$
die() { echo "soak.sh: $*" >&2; exit 2; }
for t in wrk curl awk; do
    command -v "$t" >/dev/null || die "$t is missing (apt-get install wrk curl gawk; tools/deps.sh test)"
done
[ -x "$bin" ] || die "no articled binary at $bin (make)"
case "$secs$nfiles$sample$hup$keep$conns$maxgrow$slow" in *[!0-9]*) die "numbers only" ;; esac
[ "$secs" -ge $((2 * sample)) ] || die "SECONDS must be at least two samples ($((2 * sample)) s)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/articled-soak.XXXXXX")
pid=
bg=
cleanup() {
    for p in $bg; do kill "$p" 2>/dev/null || true; done
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Content ----------------------------------------------------------------
mkdir "$tmp/data"
cp "$here"/data/articles/* "$tmp/data/"
copied=0
if [ -n "$corpus" ] && [ -d "$corpus" ] && [ "$nfiles" -gt 0 ]; then
    # Every k-th file of the sorted list, so each section is represented.
    find "$corpus" -mindepth 2 -name '*.txt' | sort >"$tmp/all"
    total=$(wc -l <"$tmp/all")
    step=$((total / nfiles))
    [ $step -lt 1 ] && step=1
    awk -v s=$step -v n="$nfiles" '(NR - 1) % s == 0 && c < n { print; c++ }' "$tmp/all" >"$tmp/pick"
    while read -r f; do
        cp "$f" "$tmp/data/$(basename "$(dirname "$f")")-$(basename "$f")"
        copied=$((copied + 1))
    done <"$tmp/pick"
fi

# --- Server -----------------------------------------------------------------
ARTICLED_WRITE_TOKEN=$token "$bin" --port 0 --bind 127.0.0.1 --access-log false \
    --data "$tmp/data" >"$tmp/log" 2>&1 &
pid=$!
wait_ready "$pid" 1500
articles0=$(curl -s "$base/readyz" | sed -n 's/.*"articles":\([0-9]*\).*/\1/p')

# --- Reads ------------------------------------------------------------------
ids=$(curl -s "$base/v1/articles?per_page=12&page=3" | grep -o '"id":"[^"]*"' | sed 's/"id":"//; s/"//')
paths="/v1/articles /v1/articles?page=2 /v1/articles?per_page=100&page=2"
paths="$paths /v1/articles/harbour-bridge-reopens /v1/articles/summit-talks-quotes/quotes"
for id in $ids; do paths="$paths /v1/articles/$id"; done
for id in $(echo "$ids" | head -n 3); do paths="$paths /v1/articles/$id/entities"; done
paths="$paths /v1/articles?q=economy /v1/articles?q=%22prime+minister%22 /v1/articles?q=film+OR+music"
paths="$paths /v1/articles?q=election+-labour /v1/articles?q=soak+harbour&per_page=5"
export WRK_PATHS="$paths"
timeout $((secs + 60 * slow)) wrk -t2 -c"$conns" -d"${secs}s" --timeout "$((5 * slow))s" \
    -s "$here/bench/mix.lua" "$base/" >"$tmp/wrk" 2>&1 &
bg="$bg $!"
wrk_pid=$!
t0=$(date +%s)
deadline=$((t0 + secs))

# --- Writes -----------------------------------------------------------------
# call OP METHOD PATH TYPE BODY: appends "OP STATUS" to $tmp/writes.
call() {
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time $((10 * slow)) -X "$2" \
        -H "Authorization: Bearer $token" ${4:+-H "Content-Type: $4"} ${5:+--data-binary "$5"} \
        "$base$3" 2>/dev/null) || true
    echo "$1 ${code:-000}" >>"$tmp/writes"
}
doc() { # ID ROUND VERSION
    printf '{"id":"%s","headline":"Soak article %s, version %s","standfirst":"Written by the soak test.",' "$1" "$2" "$3"
    printf '"published":"2024-05-0%sT10:00:00Z","tags":["soak"],"body":[' $(($2 % 9 + 1))
    printf '{"type":"paragraph","text":"Prime Minister Tony Blair met Gordon Brown in London on Tuesday, the BBC reported in round %s."},' "$2"
    printf '{"type":"subheading","text":"What was said"},'
    printf '{"type":"paragraph","text":"\\u201cWe will keep going,\\u201d said Mr Blair. The Bank of England held rates at %s%%."},' "$3"
    printf '{"type":"paragraph","text":"Version %s of a harbour story that the soak test writes, replaces, patches and deletes."}]}' "$3"
}
writer() {
    i=0
    while [ "$(date +%s)" -lt $deadline ]; do
        i=$((i + 1))
        id=soak-$i
        call post POST /v1/articles application/json "$(doc $id $i 1)"
        call put PUT "/v1/articles/$id" application/json "$(doc $id $i 2)"
        call patch PATCH "/v1/articles/$id" application/merge-patch+json \
            "{\"standfirst\":\"Patched in round $i.\",\"tags\":[\"soak\",\"patched\"],\"byline\":null}"
        call get GET "/v1/articles/$id"
        [ $i -gt "$keep" ] && call delete DELETE "/v1/articles/soak-$((i - keep))"
        sleep "$pause"
    done
}
: >"$tmp/writes"
writer &
bg="$bg $!"
writer_pid=$!

# --- Signals and samples ------------------------------------------------------
: >"$tmp/samples"
sighups=0
next_hup=$((t0 + hup))
next_sample=$t0
while :; do
    now=$(date +%s)
    [ "$now" -ge "$deadline" ] && break
    if [ "$now" -ge "$next_hup" ]; then
        kill -HUP "$pid"
        sighups=$((sighups + 1))
        next_hup=$((next_hup + hup))
    fi
    if [ "$now" -ge "$next_sample" ]; then
        rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
        thr=$(sed -n 's/^Threads:[[:space:]]*\([0-9]*\)/\1/p' "/proc/$pid/status")
        fds=$(ls "/proc/$pid/fd" | wc -l)
        arts=$(curl -s --max-time $((5 * slow)) "$base/readyz" | sed -n 's/.*"articles":\([0-9]*\).*/\1/p')
        served=$(curl -s --max-time $((5 * slow)) "$base/metrics" |
            awk '/^articled_http_requests_total/ { n += $NF } END { printf "%d", n }')
        echo "$((now - t0)) $rss $fds $thr ${arts:-?} ${served:-?}" >>"$tmp/samples"
        next_sample=$((next_sample + sample))
    fi
    sleep 0.2
done
wait "$writer_pid" || true
wait "$wrk_pid" || true
bg=
sleep 1 # the last reload
reloads=$(($(grep -c '"event":"content_loaded"' "$tmp/log") - 1))
reload_failed=$(grep -c '"event":"content_load_failed"' "$tmp/log" || true)
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
pid=

# --- Report -----------------------------------------------------------------
mix=$(grep '^mix:' "$tmp/wrk" || true)
requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$tmp/wrk")
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk")
sockerr=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$tmp/wrk")
non200=$(printf '%s' "$mix" | sed -n 's/.*non200 \([0-9]*\).*/\1/p')
writes=$(wc -l <"$tmp/writes")
badwrites=$(awk '($1 == "post" && $2 != 201) || (($1 == "put" || $1 == "patch" || $1 == "get") && $2 != 200) ||
    ($1 == "delete" && $2 != 204) { n++ } END { print n + 0 }' "$tmp/writes")
wsum=$(awk '{ c[$1 ":" $2]++ } END { for (k in c) print k "=" c[k] }' "$tmp/writes" | sort | tr '\n' ' ' | sed 's/ $//')

echo "# articled soak: ${secs} s"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $("$bin" --version 2>&1 | head -n 1);" \
    "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Content: $articles0 articles at the start (data/articles + $copied corpus files)."
echo "Load: wrk -t2 -c$conns over $(echo "$paths" | wc -w) paths; one write loop; SIGHUP every $hup s."
echo
echo "| t (s) | VmRSS (MB) | open fds | threads | articles | requests served (/metrics) |"
echo "|---|---|---|---|---|---|"
awk '{ printf "| %d | %.1f | %d | %d | %s | %s |\n", $1, $2 / 1024, $3, $4, $5, $6 }' "$tmp/samples"
echo
echo "- reads (wrk): ${requests:-0} requests (${rps:-0}/s), non-200: ${non200:-?} ($mix), socket errors: ${sockerr:-none}"
echo "- writes: $writes requests, unexpected statuses: $badwrites ($wsum)"
echo "- reloads: $sighups SIGHUP sent, $reloads reloads logged, $reload_failed failed"
echo "- exit after SIGTERM: $rc"

fail=0
flag() { echo "- FAIL: $*"; fail=1; }
[ -n "$mix" ] && [ "${requests:-0}" -gt 0 ] || flag "wrk did not run: $(tail -n 3 "$tmp/wrk")"
[ "${non200:-1}" = 0 ] || flag "reads other than 200: $mix"
[ -z "$sockerr" ] || flag "socket errors: $sockerr"
[ "$badwrites" = 0 ] || flag "writes with an unexpected status: $wsum"
[ "$writes" -gt 0 ] || flag "no writes were made"
[ "$reload_failed" = 0 ] || flag "$reload_failed reloads failed"
[ "$reloads" -ge 1 ] || [ "$sighups" = 0 ] || flag "no reload was performed"
[ "$rc" = 0 ] || flag "articled exited $rc after SIGTERM"
errs=$(grep -E '"level":"(error|fatal)"' "$tmp/log" | head -n 3)
[ -z "$errs" ] || flag "errors logged: $errs"

if [ "$secs" -ge 120 ]; then
    warm=$((secs / 10))
    [ $warm -lt 30 ] && warm=30
    verdict=$(awk -v warm=$warm -v maxg="$maxgrow" '$1 >= warm { t[++n] = $1; r[n] = $2; f[n] = $3 }
        END {
            k = int(n / 3)
            if (k < 2) { print "FAIL too few samples after the warm-up"; exit }
            for (i = 1; i <= k; i++) { a += r[i]; if (f[i] > fa) fa = f[i] }
            for (i = n - k + 1; i <= n; i++) { b += r[i]; if (f[i] > fb) fb = f[i] }
            a /= k; b /= k; g = b - a
            ok = g <= maxg && g <= a * 0.10 && fb - fa <= 16
            printf "%s mean VmRSS %.1f MB (t %d-%d s) -> %.1f MB (t %d-%d s): %+.2f MB (%+.1f%%), limits +%.1f MB and +10%%; open fds max %d -> %d (limit +16)\n",
                ok ? "ok" : "FAIL", a / 1024, t[1], t[k], b / 1024, t[n - k + 1], t[n], g / 1024, 100 * g / a, maxg / 1024, fa, fb
        }' "$tmp/samples")
    echo "- memory: ${verdict#* }"
    case $verdict in FAIL*) fail=1 ;; esac
else
    echo "- memory: not judged (runs under 120 s are too short to tell growth from warm-up)"
fi
[ $fail = 0 ] && echo "- soak: ok"
exit $fail
