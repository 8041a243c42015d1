#!/bin/sh
# nginx.sh: articled against nginx serving the identical bytes (docs/benchmarks.md).
#
# Exports what articled serves (`articled export`) and has nginx serve those
# files (gzip_static, try_files $uri.json), then runs wrk against both in
# alternating slices (nginx, articled, articled, nginx, ...: one nginx and one
# articled slice per cycle) at each connection count, and prints a markdown
# table of the medians: requests/s, the median of the per-cycle ratios
# articled/nginx (with its range), p50/p99 latency, errors and server CPU per
# request. Then peak memory and start-up time to ready with the BBC corpus.
#
# Environment (all optional):
#   ARTICLED_BIN        the binary (./articled)
#   BENCH_DATA          content directory served (data/articles)
#   BENCH_CORPUS        a corpus of *.txt files in subdirectories, copied flat
#                       into a temp dir and served too (so the list page has 20
#                       items) and loaded alone for memory and start-up time.
#                       Default ../shared/corpus/bbc when it exists; empty: none.
#   BENCH_SECONDS       seconds per wrk slice (2)
#   BENCH_CYCLES        cycles per case (6)
#   BENCH_CONNECTIONS   connection counts ("32 256")
#   BENCH_THREADS       wrk threads (2)
#   BENCH_ARTICLE       article id for the single-article cases
#   BENCH_QUERY         the search row's q (default election: many BBC hits)
#   BENCH_ENTITY        the entity page's id (default: the article's first entity);
#                       the row is skipped with a note while articled answers 404
#   BENCH_STRICT        1: exit 1 when a goal of issue 6 is missed
#   BENCH_NGINX_CPU_AFFINITY  auto: nginx binds its workers to CPUs
#                       (worker_cpu_affinity auto), to compare with articled run
#                       with ARTICLED_CPU_AFFINITY=true (docs/operations.md,
#                       "Scheduling"); default: unbound, as both ship
# Exit status: 0 measured (goals are printed, not enforced unless BENCH_STRICT=1),
# 1 a goal missed under BENCH_STRICT, 2 missing tool or broken set-up (servers do
# not start, or they do not serve identical bytes).
set -eu
secs=${BENCH_SECONDS:-2}
cycles=${BENCH_CYCLES:-6}
conns=${BENCH_CONNECTIONS:-32 256}
wthreads=${BENCH_THREADS:-2}
bin=${ARTICLED_BIN:-./articled}
data=${BENCH_DATA:-data/articles}
if [ "${BENCH_CORPUS+set}" = set ]; then
    corpus=$BENCH_CORPUS
elif [ -d ../shared/corpus/bbc ]; then
    corpus=../shared/corpus/bbc
else
    corpus=
fi

die() { echo "nginx.sh: $*" >&2; exit 2; }
for t in wrk h2load nginx curl awk ss tar; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
        die "$t is missing (apt-get install wrk nghttp2-client nginx-light curl gawk iproute2 tar)"
done
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$bin" ] || die "no articled binary at $bin (make articled)"
[ -d "$data" ] || die "no content directory $data"
[ -z "$corpus" ] || [ -d "$corpus" ] || die "BENCH_CORPUS=$corpus is not a directory"
case $secs in *[!0-9]* | '' | 0) die "BENCH_SECONDS must be a positive integer" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/articled-bench.XXXXXX")
chmod 755 "$tmp" # nginx workers run as another user when we are root
apid=
npid=
cleanup() {
    [ -n "$apid" ] && kill "$apid" 2>/dev/null && wait "$apid" 2>/dev/null
    [ -n "$npid" ] && kill "$npid" 2>/dev/null && wait "$npid" 2>/dev/null
    rm -rf "$tmp"
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

# Polls `curl URL` until it answers 200, at most $2 seconds.
wait_200() {
    n=0
    while [ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$1" 2>/dev/null)" != 200 ]; do
        n=$((n + 1))
        [ $n -gt $(($2 * 100)) ] && return 1
        sleep 0.01
    done
}

# The port of the articled whose stdout is in $1 (waits up to 10 s).
port_of() {
    n=0
    while :; do
        p=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$1" | head -n 1)
        [ -n "$p" ] && { echo "$p"; return 0; }
        n=$((n + 1))
        [ $n -gt 1000 ] && return 1
        sleep 0.01
    done
}

# Content: data/articles, plus the corpus copied flat (business/001.txt ->
# business-001.txt), never into the repository.
mkdir -p "$tmp/data" "$tmp/corpus" "$tmp/www"
cp "$data"/* "$tmp/data/"
if [ -n "$corpus" ]; then
    tar -C "$corpus" -cf - . | tar -C "$tmp/corpus" -xf - --wildcards '*.txt' --transform 's|^\./||;s|/|-|g'
    cp "$tmp/corpus"/* "$tmp/data/"
fi
timeout 120 "$bin" --data "$tmp/data" export "$tmp/www" >/dev/null || die "articled export failed"
narticles=$(find "$tmp/data" -maxdepth 1 -type f | wc -l)

echo "# articled vs nginx"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r); $("$bin" --version 2>&1 | head -n 1);" \
    "$("$NGINX" -v 2>&1 | sed 's/.*: //'); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)."
echo "Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every number)."
echo "Content: $narticles articles ($data${corpus:+ + $corpus copied flat}). wrk -t$wthreads --latency, keep-alive;" \
    "$cycles cycles of ${secs}s slices per row, alternating nginx, articled, articled, nginx, ..."

# --- Start-up time and peak memory with the corpus alone --------------------
mem_lines=
if [ -n "$corpus" ]; then
    csize=$(find "$tmp/corpus" -type f -exec cat {} + | wc -c)
    cfiles=$(find "$tmp/corpus" -type f | wc -l)
    starts=
    cpus=
    hwm=0
    for run in 1 2 3; do
        log="$tmp/start$run.log"
        : >"$log"
        t0=$(date +%s%N)
        "$bin" --data "$tmp/corpus" --port 0 --access-log false >"$log" 2>&1 &
        apid=$!
        p=$(port_of "$log") || die "articled did not start on the corpus: $(tail -n 3 "$log")"
        wait_200 "http://127.0.0.1:$p/readyz" 30 || die "articled not ready on the corpus in 30 s"
        t1=$(date +%s%N)
        starts="$starts $(((t1 - t0) / 1000000))"
        cpus="$cpus $(awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/$apid/stat")"
        h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$apid/status")
        [ "$h" -gt "$hwm" ] && hwm=$h
        kill "$apid"
        wait "$apid" 2>/dev/null || true
        apid=
    done
    start_ms=$(printf '%s\n' $starts | sort -n | sed -n 2p)
    mem_lines=$(awk -v h="$hwm" -v s="$csize" -v n="$cfiles" -v st="$start_ms" -v all="$starts" -v cpus="$cpus" 'BEGIN {
        printf "- Corpus: %d files, %.2f MB of text on disk (sum of file sizes)\n", n, s / 1e6
        printf "- Start-up to ready (exec to first /readyz 200), median of 3: %d ms (runs:%s ms; CPU used by then:%s ms)\n", st, all, cpus
        printf "- Peak memory (VmHWM at ready, largest of 3): %.1f MB = %.2f x the corpus on disk\n", h * 1024 / 1e6, h * 1024 / s
    }')
fi

# --- Servers -----------------------------------------------------------------
: >"$tmp/articled.log"
"$bin" --data "$tmp/data" --port 0 --access-log false --max-connections 2000 >"$tmp/articled.log" 2>&1 &
apid=$!
aport=$(port_of "$tmp/articled.log") || die "articled did not start: $(tail -n 3 "$tmp/articled.log")"
wait_200 "http://127.0.0.1:$aport/readyz" 30 || die "articled not ready in 30 s"
A=http://127.0.0.1:$aport

# What `articled export` does not write (a search, an entity page) is fetched
# from articled, identity and gzip bytes, for nginx to serve as files.
# fetch_into PATH FILE: 0 when articled answered 200.
fetch_into() {
    mkdir -p "$(dirname "$2")"
    code=$(curl -s --max-time 10 -o "$2" -w '%{http_code}' "$A$1" </dev/null)
    [ "$code" = 200 ] || { rm -f "$2"; return 1; }
    curl -s --max-time 10 -H 'Accept-Encoding: gzip' -o "$2.gz" "$A$1" </dev/null
}
query=${BENCH_QUERY:-election}
case $query in *[!a-z0-9]* | '') die "BENCH_QUERY must be one plain lower-case word" ;; esac
fetch_into "/v1/articles?q=$query" "$tmp/www/v1/search/$query.json" || die "the search q=$query failed"
qhits=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$tmp/www/v1/search/$query.json")

mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
nport=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    cand=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
    ss -Htln "sport = :$cand" | grep -q . && continue
    cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 2;
${BENCH_NGINX_CPU_AFFINITY:+worker_cpu_affinity $BENCH_NGINX_CPU_AFFINITY;}
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/tmp/body;
    proxy_temp_path $tmp/nginx/tmp/proxy;
    fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
    uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
    scgi_temp_path $tmp/nginx/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 10000000;
    open_file_cache max=20000 inactive=60s;
    default_type application/json;
    gzip_static on;
    gzip_vary on;
    server {
        listen 127.0.0.1:$cand backlog=4096;
        root $tmp/www;
        location / { try_files \$uri.json =404; }
        location = /v1/articles {
            if (\$arg_q) { rewrite ^ /v1/search/\$arg_q last; }
            try_files \$uri.json =404;
        }
    }
}
EOF
    "$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$tmp/nginx/logs/stdout" 2>&1 &
    npid=$!
    if wait_200 "http://127.0.0.1:$cand/v1/articles" 5; then
        nport=$cand
        break
    fi
    kill "$npid" 2>/dev/null || true
    wait "$npid" 2>/dev/null || true
    npid=
done
[ -n "$nport" ] || die "nginx did not start: $(tail -n 3 "$tmp/nginx/logs/error.log" 2>/dev/null)"

# --- Cases ------------------------------------------------------------------
aid=${BENCH_ARTICLE:-north-koreas-kim-visiting-china-at-xi-jinpings-invitation}
if [ ! -f "$tmp/www/v1/articles/$aid.json" ]; then
    aid=$(sed -n 's/^{"items":\[{"id":"\([^"]*\)".*/\1/p' "$tmp/www/v1/articles.json")
fi
[ -n "$aid" ] || die "no article to benchmark"
N=http://127.0.0.1:$nport
art=/v1/articles/$aid
etag_a=$(curl -s -D - -o /dev/null "$A$art" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
etag_n=$(curl -s -D - -o /dev/null "$N$art" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
[ -n "$etag_a" ] && [ -n "$etag_n" ] || die "no ETag (articled '$etag_a', nginx '$etag_n')"

# The entity page (GET /v1/entities/{id}): measured once articled serves it.
entity=${BENCH_ENTITY:-$(sed -n 's/^{"article":"[^"]*","entities":\[{"id":"\([^"]*\)".*/\1/p' "$tmp/www/v1/articles/$aid/entities.json")}
entity_note=
ecode=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$A/v1/entities/$entity" </dev/null)
if [ -z "$entity" ]; then
    entity_note="skipped: no entity id (set BENCH_ENTITY)"
elif [ "$ecode" = 404 ]; then
    entity_note="skipped: articled answers 404 to GET /v1/entities/$entity (no entity pages on this build)"
elif [ "$ecode" != 200 ]; then
    die "GET /v1/entities/$entity answered $ecode"
elif [ ! -f "$tmp/www/v1/entities/$entity.json" ]; then
    fetch_into "/v1/entities/$entity" "$tmp/www/v1/entities/$entity.json" || die "cannot fetch the entity page"
fi

# case name | path | header for articled | header for nginx | expected status
cat >"$tmp/cases" <<EOF
one article|$art|||200
one article, Accept-Encoding: gzip|$art|Accept-Encoding: gzip|Accept-Encoding: gzip|200
list page (first page of /v1/articles)|/v1/articles|||200
search (/v1/articles?q=$query, first page)|/v1/articles?q=$query|||200
EOF
[ -z "$entity_note" ] && echo "entity page (/v1/entities/$entity)|/v1/entities/$entity|||200" >>"$tmp/cases"
echo "304 revalidation (If-None-Match; h2load)|$art|If-None-Match: $etag_a|If-None-Match: $etag_n|304" >>"$tmp/cases"

# Both servers must send the same bytes and the expected status.
echo
while IFS='|' read -r name path ha hn want; do
    for s in a n; do
        if [ $s = a ]; then u=$A$path h=$ha; else u=$N$path h=$hn; fi
        rm -f "$tmp/body.$s"
        code=$(curl -s --max-time 5 ${h:+-H "$h"} -o "$tmp/body.$s" -w '%{http_code}' "$u" </dev/null)
        [ "$code" = "$want" ] || die "$name: $u answered $code, not $want"
    done
    touch "$tmp/body.a" "$tmp/body.n"
    cmp -s "$tmp/body.a" "$tmp/body.n" || die "$name: articled and nginx bodies differ"
    echo "- checked: $name: both $want, $(wc -c <"$tmp/body.a" | tr -d ' ') identical body bytes"
done <"$tmp/cases"
listn=$(grep -o '"links":{"self":"/v1/articles/' "$tmp/www/v1/articles.json" | wc -l)

# CPU ticks (user + system) of a process, or of nginx's workers.
cpu_of() {
    if [ "$1" = n ]; then
        pids=$(cat "/proc/$npid/task/$npid/children" 2>/dev/null)
    else
        pids=$apid
    fi
    t=0
    for p in $pids; do
        v=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
        t=$((t + v))
    done
    echo $t
}
hz=$(getconf CLK_TCK)

# Runs one wrk slice; appends "server rps p50ms p99ms errors cpu_us_per_req" to $tmp/res.
slice() { # server url header conns label
    c0=$(cpu_of "$1")
    out=$(timeout $((secs + 15)) wrk -t"$wthreads" -c"$4" -d"${secs}s" --latency ${3:+-H "$3"} "$2" </dev/null 2>&1) || true
    c1=$(cpu_of "$1")
    printf '%s\n' "$out" | awk -v s="$1" -v cpu=$((c1 - c0)) -v hz="$hz" -v label="$5" '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /m$/) return v * 60000
            if (v ~ /s$/) return v * 1000
            return v + 0
        }
        /^Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        / requests in / { n = $1 }
        /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx/ { err += $NF }
        END {
            if (rps == "") { rps = 0; err += 1; p50 = 0; p99 = 0 }
            printf "%s|%s|%.1f|%.3f|%.3f|%d|%.1f\n", label, s, rps, p50, p99, err, n ? cpu * 1e6 / hz / n : 0
        }' >>"$tmp/res"
}

# The same with h2load --h1, for the 304 case: articled's 304 carries the
# Content-Length of the 200 (RFC 9110 8.6 allows it) and wrk 4.1's parser then
# waits for that many body bytes and stalls (0 requests). Percentiles come from
# h2load's per-request log. A fixed count of requests (BENCH_SECONDS x 100,000,
# about as long as a wrk slice), not h2load's timing mode: with -D, h2load
# (nghttp2 1.52) hangs after its duration when a server closed a keep-alive
# connection during the run and h2load was reconnecting as it ended (nginx at
# keepalive_requests 500 did it in 1 run of 6, as articled's moved local
# connections do: docs/operations.md, "Steering"); with -n, 0 hangs in 25.
slice_h2() { # server url header conns label
    c0=$(cpu_of "$1")
    out=$(timeout $((secs + 15)) h2load --h1 -t"$wthreads" -c"$4" -n $((secs * 100000)) \
        ${3:+-H "$3"} --log-file="$tmp/h2.log" "$2" </dev/null 2>&1) || true
    c1=$(cpu_of "$1")
    lat=$(cut -f3 "$tmp/h2.log" 2>/dev/null | sort -n | awk '{ v[NR] = $1 } END {
        if (NR) printf "%.3f %.3f", v[int((NR - 1) * 0.5) + 1] / 1000, v[int((NR - 1) * 0.99) + 1] / 1000; else print "0 0" }')
    rm -f "$tmp/h2.log"
    printf '%s\n' "$out" | awk -v s="$1" -v cpu=$((c1 - c0)) -v hz="$hz" -v label="$5" -v lat="$lat" '
        /^finished in/ { rps = $4 }
        /^requests:/ { n = $6; err += $10 + $12 + $14 }
        /^status codes:/ { err += $3 + $7 + $9 }
        END {
            split(lat, l, " ")
            if (rps == "") { rps = 0; err += 1 }
            printf "%s|%s|%.1f|%.3f|%.3f|%d|%.1f\n", label, s, rps, l[1], l[2], err, n ? cpu * 1e6 / hz / n : 0
        }' >>"$tmp/res"
}

# Warm-up, not counted.
timeout 20 wrk -t"$wthreads" -c32 -d1s "$A$art" >/dev/null 2>&1 || true
timeout 20 wrk -t"$wthreads" -c32 -d1s "$N$art" >/dev/null 2>&1 || true

: >"$tmp/res"
while IFS='|' read -r name path ha hn want; do
    for c in $conns; do
        i=1
        while [ $i -le "$cycles" ]; do
            if [ $((i % 2)) = 1 ]; then order="n a"; else order="a n"; fi
            for s in $order; do
                run=slice
                [ "$want" = 304 ] && run=slice_h2
                if [ $s = a ]; then $run a "$A$path" "$ha" "$c" "$name|$c|$i"; else $run n "$N$path" "$hn" "$c" "$name|$c|$i"; fi
            done
            i=$((i + 1))
        done
    done
done <"$tmp/cases"

# --- Table ------------------------------------------------------------------
echo
echo "| case | connections | articled req/s | nginx req/s | ratio (range) | articled p50 / p99 | nginx p50 / p99 | errors articled / nginx | CPU us/req articled / nginx |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -F'|' -v order="$(cut -d'|' -f1 "$tmp/cases" | tr '\n' '|')" -v conns="$conns" '
    function median(arr, k,   i, j, t, a) {
        for (i = 1; i <= k; i++) a[i] = arr[i]
        for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function lat(v) { return v < 1 ? sprintf("%.2f", v) : v < 10 ? sprintf("%.1f", v) : sprintf("%.0f", v) }
    {
        key = $1 SUBSEP $2
        rps[key, $4, $3] = $5; p50[key, $4, $3] = $6; p99[key, $4, $3] = $7
        err[key, $4] += $8; cpu[key, $4, $3] = $9
        if ($3 > ncyc[key]) ncyc[key] = $3
    }
    END {
        nn = split(order, names, "|"); nc = split(conns, cs, " ")
        for (x = 1; x <= nn; x++) {
            if (names[x] == "") continue
            for (y = 1; y <= nc; y++) {
                key = names[x] SUBSEP cs[y]; k = ncyc[key]
                if (!k) continue
                lo = 1e9; hi = 0
                for (s = 1; s <= 2; s++) {
                    sv = s == 1 ? "a" : "n"
                    for (i = 1; i <= k; i++) { t1[i] = rps[key, sv, i]; t2[i] = p50[key, sv, i]; t3[i] = p99[key, sv, i]; t4[i] = cpu[key, sv, i] }
                    R[sv] = median(t1, k); P5[sv] = median(t2, k); P9[sv] = median(t3, k); C[sv] = median(t4, k)
                }
                for (i = 1; i <= k; i++) {
                    r[i] = rps[key, "n", i] > 0 ? rps[key, "a", i] / rps[key, "n", i] : 0
                    if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i]
                }
                printf "| %s | %s | %.0f | %.0f | %.2f (%.2f-%.2f) | %s / %s ms | %s / %s ms | %d / %d | %.1f / %.1f |\n",
                    names[x], cs[y], R["a"], R["n"], median(r, k), lo, hi, lat(P5["a"]), lat(P9["a"]),
                    lat(P5["n"]), lat(P9["n"]), err[key, "a"], err[key, "n"], C["a"], C["n"]
                # for the goals below
                printf "%s|%s|%.3f|%.3f|%d\n", names[x], cs[y], median(r, k), P9["a"], err[key, "a"] > "/dev/stderr"
            }
        }
    }' "$tmp/res" 2>"$tmp/summary"
[ -n "$entity_note" ] && echo "| entity page (/v1/entities/$entity) | $(echo $conns | tr ' ' ',') | $entity_note | | | | | | |"
echo
echo "Medians over the cycles; ratio = articled/nginx req/s, the median of the per-cycle ratios (range: min-max)."
echo "The 304 row is measured with h2load --h1 (same connections and threads) for both servers: wrk cannot parse"
echo "articled's 304, which carries Content-Length: <length of the 200> (docs/benchmarks.md)."
echo "p50/p99 are medians of the per-slice wrk percentiles; errors are summed over all slices (socket errors +"
echo "non-2xx/3xx answers). CPU us/req: server user+system CPU (nginx: its workers) over requests, per slice, median."
echo "The list page holds $listn items; the search q=$query has $qhits hits ($(wc -c <"$tmp/www/v1/search/$query.json" | tr -d ' ') bytes on its first page)."
echo "Article: $aid ($(wc -c <"$tmp/www/v1/articles/$aid.json" | tr -d ' ') bytes, gzip $(wc -c <"$tmp/www/v1/articles/$aid.json.gz" | tr -d ' ') bytes)."
echo "nginx ${nport:+(port $nport)}: worker_processes 2${BENCH_NGINX_CPU_AFFINITY:+, worker_cpu_affinity $BENCH_NGINX_CPU_AFFINITY}, sendfile, open_file_cache, gzip_static, access_log off; articled: --threads 0 (one per core), --access-log false${ARTICLED_CPU_AFFINITY:+, cpu_affinity $ARTICLED_CPU_AFFINITY}${ARTICLED_SCHED_SLICE_US:+, sched_slice_us $ARTICLED_SCHED_SLICE_US}."
echo "Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)."
hwm_bench=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$apid/status")
echo
echo "## Memory and start-up"
echo
if [ -n "$mem_lines" ]; then
    printf '%s\n' "$mem_lines"
else
    echo "- No corpus (BENCH_CORPUS empty): memory and start-up with the BBC corpus not measured"
fi
echo "- The benchmarked articled ($narticles articles) after the run: VmHWM $(awk -v h="$hwm_bench" 'BEGIN { printf "%.1f", h * 1024 / 1e6 }') MB"

# --- Goals of issue 6 ----------------------------------------------------------
echo
echo "## Goals (issue 6)"
echo
missed=0
goal() { # ok text
    if [ "$1" = 1 ]; then echo "- met: $2"; else echo "- MISSED: $2"; missed=1; fi
}
sum() { awk -F'|' -v n="$1" -v c="$2" -v f="$3" '$1 == n && $2 == c { print $f }' "$tmp/summary"; }
first=$(echo $conns | cut -d' ' -f1)
for c in $conns; do
    r=$(sum "one article" "$c" 3)
    [ -n "$r" ] && goal "$(awk -v r="$r" 'BEGIN { print (r >= 1.0) }')" "one article at $c connections >= 1.0x nginx (measured $(printf '%.2f' "$r"))"
    r=$(sum "list page (first page of /v1/articles)" "$c" 3)
    [ -n "$r" ] && goal "$(awk -v r="$r" 'BEGIN { print (r >= 0.7) }')" "list page at $c connections >= 0.7x nginx (measured $(printf '%.2f' "$r"))"
done
if [ "$first" = 32 ]; then
    worst=$(awk -F'|' '$2 == 32 && $4 > m { m = $4 } END { printf "%.2f", m + 0 }' "$tmp/summary")
    goal "$(awk -v w="$worst" 'BEGIN { print (w < 5) }')" "articled p99 under 5 ms at 32 connections in every case (worst median p99 $worst ms)"
fi
case " $conns " in *" 256 "*)
    e=$(awk -F'|' '$2 == 256 { e += $5 } END { print e + 0 }' "$tmp/summary")
    goal "$([ "$e" = 0 ] && echo 1 || echo 0)" "no errors from articled at 256 connections ($e)" ;;
esac
if [ -n "$corpus" ]; then
    goal "$([ "$start_ms" -lt 2000 ] && echo 1 || echo 0)" "corpus ready in under 2 s ($start_ms ms)"
    goal "$(awk -v h="$hwm" -v s="$csize" 'BEGIN { print (h * 1024 < 5 * s) }')" "peak memory under 5x the corpus on disk"
fi
[ "${BENCH_STRICT:-0}" = 1 ] && [ $missed = 1 ] && exit 1
exit 0
