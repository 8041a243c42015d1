#!/bin/sh
# test_nginx.sh: articled behind a real nginx reverse proxy, checked with plain
# curl through the proxy (issue 6, point 10; docs/benchmarks.md).
#
# nginx proxies to articled over keep-alive HTTP/1.1 and sets X-Forwarded-For
# ($proxy_add_x_forwarded_for), -Proto and -Host; articled trusts 127.0.0.1.
# A second nginx server stands for a TLS terminator (X-Forwarded-Proto https).
# Prints one line per check and "N passed, N failed"; exits 1 when a check
# fails, 2 when it cannot run (nginx or curl missing, a server does not start).
# ARTICLED_BIN names the binary (./articled); run from the repository root.
set -u
bin=${ARTICLED_BIN:-./articled}
data=${DEPLOY_DATA:-data/articles}
NGINX=$(command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
[ -n "$NGINX" ] || { echo "test_nginx.sh: nginx is missing (apt-get install nginx-light)" >&2; exit 2; }
for t in curl gzip ss awk; do
    command -v "$t" >/dev/null 2>&1 || { echo "test_nginx.sh: $t is missing" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "test_nginx.sh: no articled binary at $bin" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/articled-deploy.XXXXXX") || exit 2
chmod 755 "$tmp" # nginx workers run as another user when we are root
apid=
npid=
cleanup() {
    [ -n "$apid" ] && kill "$apid" 2>/dev/null && wait "$apid" 2>/dev/null
    [ -n "$npid" ] && kill "$npid" 2>/dev/null && wait "$npid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { # condition-exit-status description [detail]
    if [ "$1" = 0 ]; then ok "$2"; else bad "$2${3:+: $3}"; fi
}
die() { echo "test_nginx.sh: $*" >&2; exit 2; }

# --- articled -------------------------------------------------------------------
mkdir -p "$tmp/data" "$tmp/nginx/logs" "$tmp/nginx/tmp"
cp "$data"/* "$tmp/data/" || die "cannot copy $data"
"$bin" --data "$tmp/data" --port 0 --trusted-proxies 127.0.0.1 --access-log true \
    >"$tmp/articled.out" 2>"$tmp/articled.err" &
apid=$!
t0=$(date +%s)
aport=
while [ -z "$aport" ]; do
    aport=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/articled.out" | head -n 1)
    [ $(($(date +%s) - t0)) -gt 20 ] && die "articled did not start: $(tail -n 3 "$tmp/articled.err")"
    [ -z "$aport" ] && sleep 0.05
done
A=http://127.0.0.1:$aport
while [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$A/readyz")" != 200 ]; do
    [ $(($(date +%s) - t0)) -gt 20 ] && die "articled not ready in 20 s"
    sleep 0.05
done

# --- nginx: two servers, plain (Proto = $scheme) and "TLS-terminating" (https) --------
free_port() {
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
        ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}
nport=
for _ in 1 2 3 4 5; do
    p1=$(free_port) && p2=$(free_port) || die "no free port"
    [ "$p1" = "$p2" ] && continue
    cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/tmp/body;
    proxy_temp_path $tmp/nginx/tmp/proxy;
    fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
    uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
    scgi_temp_path $tmp/nginx/tmp/scgi;
    # An operator's usual gzip: must leave articled's own gzip alone.
    gzip on;
    gzip_proxied any;
    gzip_types application/json application/problem+json;
    upstream articled {
        server 127.0.0.1:$aport;
        keepalive 16;
    }
    proxy_http_version 1.1;
    # A proxy_set_header in a location replaces all inherited ones: each
    # server sets the whole list.
    server {
        listen 127.0.0.1:$p1;
        location / {
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host \$host:\$server_port;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_pass http://articled;
        }
    }
    server {
        listen 127.0.0.1:$p2;
        location / {
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host \$host:\$server_port;
            proxy_set_header X-Forwarded-Proto https;
            proxy_pass http://articled;
        }
    }
}
EOF
    "$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$tmp/nginx/logs/stdout" 2>&1 &
    npid=$!
    n=0
    while [ $n -lt 50 ]; do
        [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$p1/readyz")" = 200 ] &&
            [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$p2/readyz")" = 200 ] &&
            { nport=$p1; break; }
        kill -0 "$npid" 2>/dev/null || break
        n=$((n + 1))
        sleep 0.1
    done
    [ -n "$nport" ] && break
    kill "$npid" 2>/dev/null
    wait "$npid" 2>/dev/null
    npid=
    # A port taken between the check and nginx's bind: try others, and forget
    # this attempt's [emerg] so the final log check judges the nginx that runs.
    : >"$tmp/nginx/logs/error.log"
done
[ -n "$nport" ] || die "nginx did not start: $(tail -n 3 "$tmp/nginx/logs/error.log" 2>/dev/null)"
N=http://127.0.0.1:$nport
S=http://127.0.0.1:$p2
echo "# articled on $A, nginx on $N (X-Forwarded-Proto \$scheme) and $S (X-Forwarded-Proto https)"

# get NAME URL [curl options...]: headers in $tmp/NAME.h (CR stripped), body in
# $tmp/NAME.b, status printed.
get() {
    name=$1
    url=$2
    shift 2
    rm -f "$tmp/$name.b" "$tmp/$name.raw"
    curl -s --max-time 5 -D "$tmp/$name.raw" -o "$tmp/$name.b" -w '%{http_code}' "$@" "$url" </dev/null
    touch "$tmp/$name.b" "$tmp/$name.raw" # curl creates neither for an empty answer
    tr -d '\r' <"$tmp/$name.raw" >"$tmp/$name.h"
}
# hdr NAME HEADER: the value of HEADER in the response NAME (all of them, one per line).
hdr() { awk -v h="$2" 'BEGIN { h = tolower(h) } { i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == h) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v } }' "$tmp/$1.h"; }
# logline ID: articled's access log line for request id ID (waits up to 2 s).
logline() {
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        l=$(grep "\"event\":\"request\"" "$tmp/articled.out" | grep -F "\"request_id\":\"$1\"" | tail -n 1)
        [ -n "$l" ] && { printf '%s\n' "$l"; return 0; }
        sleep 0.1
    done
    return 1
}
field() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p"; }

# --- The list and an article --------------------------------------------------------
code=$(get list "$N/v1/articles")
get dlist "$A/v1/articles" >/dev/null
aid=$(sed -n 's/^{"items":\[{"id":"\([^"]*\)".*/\1/p' "$tmp/list.b")
check "$([ "$code" = 200 ] && [ -n "$aid" ] && echo 0 || echo 1)" "list through nginx: 200 with items" "status $code"
check "$(hdr list Content-Type | grep -q '^application/json' && echo 0 || echo 1)" "list: Content-Type application/json" "$(hdr list Content-Type)"
total=$(hdr list X-Total-Count)
ndata=$(ls "$tmp/data" | wc -l | tr -d ' ')
check "$([ "$total" = "$ndata" ] && echo 0 || echo 1)" "list: X-Total-Count $ndata passes through" "got '$total'"
code=$(get art "$N/v1/articles/$aid")
get dart "$A/v1/articles/$aid" >/dev/null
check "$([ "$code" = 200 ] && cmp -s "$tmp/art.b" "$tmp/dart.b" && echo 0 || echo 1)" \
    "article $aid through nginx: 200, body identical to articled's direct answer" "status $code"
check "$([ -n "$(hdr art ETag)" ] && [ "$(hdr art ETag)" = "$(hdr dart ETag)" ] && echo 0 || echo 1)" \
    "article: the same strong ETag through nginx as direct" "$(hdr art ETag) vs $(hdr dart ETag)"
check "$(hdr art Cache-Control | grep -q 'max-age' && echo 0 || echo 1)" "article: Cache-Control passes through" "$(hdr art Cache-Control)"
check "$(hdr art Vary | grep -qi 'accept-encoding' && echo 0 || echo 1)" "article: Vary names Accept-Encoding" "$(hdr art Vary)"

# --- Absolute links from the forwarded host and proto --------------------------------
code=$(get page "$N/v1/articles?per_page=2")
link=$(hdr page Link)
check "$(printf '%s' "$link" | grep -q "<http://127.0.0.1:$nport/v1/articles?page=2&per_page=2>; rel=\"next\"" && echo 0 || echo 1)" \
    "Link is absolute with the forwarded host and proto: <http://127.0.0.1:$nport/...>; rel=\"next\"" "Link: $link"
check "$(printf '%s' "$link" | grep -q "127.0.0.1:$aport" && echo 1 || echo 0)" "Link does not leak the upstream address 127.0.0.1:$aport" "Link: $link"
code=$(get spage "$S/v1/articles?per_page=2")
slink=$(hdr spage Link)
check "$(printf '%s' "$slink" | grep -q "<https://127.0.0.1:$p2/v1/articles?page=2&per_page=2>; rel=\"next\"" && echo 0 || echo 1)" \
    "Link follows X-Forwarded-Proto https: <https://127.0.0.1:$p2/...>" "Link: $slink"
# The body's self links: the page's own, each item's, the article's.
selfs=$(grep -o '"links":{"self":"[^"]*"' "$tmp/page.b" | sed 's/.*"self":"//; s/"$//')
pself=$(printf '%s\n' "$selfs" | tail -n 1)
check "$(printf '%s' "$pself" | grep -q "^http://127.0.0.1:$nport/v1/articles?" && echo 0 || echo 1)" \
    "the list body's page links are absolute with the forwarded host" "self: $pself"
# Pre-rendered self links stay relative without public_base_url (docs/operations.md,
# "Behind a reverse proxy"): the same bytes for every host, never the upstream's address.
iself=$(printf '%s\n' "$selfs" | head -n 1)
check "$(printf '%s' "$iself" | grep -q "^/v1/articles/" && echo 0 || echo 1)" \
    "the list items' pre-rendered self links are relative (no public_base_url)" "first item's self: $iself"
aself=$(grep -o '"links":{"self":"[^"]*"' "$tmp/art.b" | head -n 1 | sed 's/.*"self":"//; s/"$//')
check "$([ "$aself" = "/v1/articles/$aid" ] && echo 0 || echo 1)" \
    "the article's pre-rendered self link is relative (no public_base_url)" "self: $aself"
code=$(get direct "$A/v1/articles?per_page=2" -H 'X-Forwarded-Host: evil.example' -H 'X-Forwarded-Proto: https')
check "$(hdr direct Link | grep -q "evil.example" && echo 0 || echo 1)" \
    "sanity: articled does use X-Forwarded-Host from its trusted 127.0.0.1" "Link: $(hdr direct Link)"

# --- Request ids ------------------------------------------------------------------
rid=deploy-check-$$-1
code=$(get rid "$N/v1/articles/$aid" -H "X-Request-Id: $rid")
check "$([ "$(hdr rid X-Request-Id)" = "$rid" ] && echo 0 || echo 1)" "X-Request-Id from the client passes through nginx and comes back" "got '$(hdr rid X-Request-Id)'"
l=$(logline "$rid") || l=
check "$([ -n "$l" ] && echo 0 || echo 1)" "the client's X-Request-Id is in articled's access log" "no line with request_id $rid"
code=$(get norid "$N/v1/articles/$aid")
gen=$(hdr norid X-Request-Id)
check "$([ -n "$gen" ] && echo 0 || echo 1)" "without X-Request-Id, one is generated and returned through nginx" "none"
l=$(logline "$gen") || l=
check "$([ -n "$gen" ] && [ -n "$l" ] && echo 0 || echo 1)" "the generated X-Request-Id is the one logged" "no line with request_id '$gen'"
code=$(get badrid "$N/v1/articles/$aid" -H 'X-Request-Id: bad id <script>')
brid=$(hdr badrid X-Request-Id)
check "$([ -n "$brid" ] && [ "$brid" != 'bad id <script>' ] && echo 0 || echo 1)" "an X-Request-Id that is not plain is replaced by a generated one" "got '$brid'"

# --- The client address in the access log -----------------------------------------
rid=deploy-check-$$-xff
get xff "$N/v1/articles/$aid" -H "X-Request-Id: $rid" -H 'X-Forwarded-For: 198.51.100.7' >/dev/null
l=$(logline "$rid") || l=
c=$(field "$l" client)
check "$([ "$c" = 198.51.100.7 ] && echo 0 || echo 1)" \
    "X-Forwarded-For: 198.51.100.7 sent to nginx: articled logs client 198.51.100.7 (nginx appended 127.0.0.1)" "client '$c'"
rid=deploy-check-$$-spoof
get spoof "$N/v1/articles/$aid" -H "X-Request-Id: $rid" -H 'X-Forwarded-For: 203.0.113.9, 198.51.100.7' >/dev/null
l=$(logline "$rid") || l=
c=$(field "$l" client)
check "$([ "$c" = 198.51.100.7 ] && echo 0 || echo 1)" \
    "X-Forwarded-For: 203.0.113.9, 198.51.100.7: the rightmost untrusted address is logged, not the leftmost" "client '$c'"
rid=deploy-check-$$-plain
get plainxff "$N/v1/articles/$aid" -H "X-Request-Id: $rid" >/dev/null
l=$(logline "$rid") || l=
c=$(field "$l" client)
check "$([ "$c" = 127.0.0.1 ] && echo 0 || echo 1)" "without X-Forwarded-For from the client, the client is curl's 127.0.0.1" "client '$c'"

# --- Revalidation through the proxy -------------------------------------------------
etag=$(hdr art ETag)
code=$(get inm "$N/v1/articles/$aid" -H "If-None-Match: $etag")
check "$([ "$code" = 304 ] && [ ! -s "$tmp/inm.b" ] && echo 0 || echo 1)" "If-None-Match with the ETag got through nginx: 304, no body" "status $code, $(wc -c <"$tmp/inm.b") body bytes"
check "$([ "$(hdr inm ETag)" = "$etag" ] && echo 0 || echo 1)" "the 304 carries the ETag" "'$(hdr inm ETag)'"
code=$(get inm2 "$N/v1/articles/$aid" -H 'If-None-Match: "not-the-etag"')
check "$([ "$code" = 200 ] && echo 0 || echo 1)" "If-None-Match with another ETag: 200" "status $code"
code=$(get linm "$N/v1/articles" -H "If-None-Match: $(hdr list ETag)")
check "$([ "$code" = 304 ] && echo 0 || echo 1)" "the list revalidates too: 304" "status $code, ETag '$(hdr list ETag)'"
# Last-Modified is withheld until the second after the snapshot's has passed
# (up to 2 s after it is built; the build itself is slower under valgrind).
t=$(($(date +%s) - t0))
[ $t -lt 3 ] && sleep $((3 - t))
code=$(get lm "$N/v1/articles/$aid")
lm=$(hdr lm Last-Modified)
waited=0
while [ -z "$lm" ] && [ $waited -lt 50 ]; do
    sleep 0.2
    waited=$((waited + 1))
    code=$(get lm "$N/v1/articles/$aid")
    lm=$(hdr lm Last-Modified)
done
check "$([ -n "$lm" ] && echo 0 || echo 1)" "Last-Modified through nginx (3 s after start, or within 10 s more)" "none"
if [ -n "$lm" ]; then
    code=$(get ims "$N/v1/articles/$aid" -H "If-Modified-Since: $lm")
    check "$([ "$code" = 304 ] && echo 0 || echo 1)" "If-Modified-Since with that date through nginx: 304" "status $code"
else
    bad "If-Modified-Since through nginx: no Last-Modified to send"
fi

# --- Errors -----------------------------------------------------------------------
code=$(get nf "$N/v1/articles/no-such-article-$$")
check "$([ "$code" = 404 ] && hdr nf Content-Type | grep -q '^application/problem+json'  && grep -q '"status":404' "$tmp/nf.b" && echo 0 || echo 1)" \
    "a 404 passes through nginx as application/problem+json" "status $code, $(hdr nf Content-Type), $(head -c 120 "$tmp/nf.b")"
check "$([ -z "$(hdr nf Content-Encoding)" ] && echo 0 || echo 1)" "the problem+json is not compressed (too small)" "Content-Encoding: $(hdr nf Content-Encoding)"

# --- gzip through the proxy (nginx has gzip on) ------------------------------------------
code=$(get gz "$N/v1/articles/$aid" -H 'Accept-Encoding: gzip')
ce=$(hdr gz Content-Encoding | tr '\n' ' ' | sed 's/ $//')
check "$([ "$code" = 200 ] && [ "$ce" = gzip ] && echo 0 || echo 1)" "Accept-Encoding: gzip through nginx: one Content-Encoding: gzip" "status $code, Content-Encoding '$ce'"
gzip -dc <"$tmp/gz.b" >"$tmp/gz.plain" 2>/dev/null
check "$(cmp -s "$tmp/gz.plain" "$tmp/art.b" && echo 0 || echo 1)" "gzip body decompresses once to the identical article (no double compression)" \
    "$(wc -c <"$tmp/gz.b" | tr -d ' ') bytes compressed, $(wc -c <"$tmp/gz.plain" | tr -d ' ') after one gunzip"
get dgz "$A/v1/articles/$aid" -H 'Accept-Encoding: gzip' >/dev/null
check "$(cmp -s "$tmp/gz.b" "$tmp/dgz.b" && echo 0 || echo 1)" "the gzip bytes through nginx are articled's own" "they differ"
gzetag=$(hdr gz ETag)
check "$([ -n "$gzetag" ] && [ "$gzetag" != "$etag" ] && echo 0 || echo 1)" "the gzip form has its own strong ETag" "'$gzetag' vs '$etag'"
code=$(get gzinm "$N/v1/articles/$aid" -H 'Accept-Encoding: gzip' -H "If-None-Match: $gzetag")
check "$([ "$code" = 304 ] && echo 0 || echo 1)" "If-None-Match with the gzip ETag (Accept-Encoding: gzip) through nginx: 304" "status $code"
code=$(get id "$N/v1/articles/$aid" -H 'Accept-Encoding: identity')
check "$([ "$code" = 200 ] && [ -z "$(hdr id Content-Encoding)" ] && cmp -s "$tmp/id.b" "$tmp/art.b" && echo 0 || echo 1)" \
    "Accept-Encoding: identity through nginx: uncompressed" "Content-Encoding '$(hdr id Content-Encoding)'"

# --- Keep-alive upstream, clean stop ------------------------------------------------
r=$(curl -s --max-time 5 -w '%{http_code}/%{num_connects} ' "$N/v1/articles/$aid" -o /dev/null \
    "$N/v1/articles" -o /dev/null "$N/v1/articles/$aid/entities" -o /dev/null </dev/null)
check "$([ "$r" = "200/1 200/0 200/0 " ] && echo 0 || echo 1)" "three requests on one keep-alive client connection: 200 each (status/new connections)" "$r"
up=$(ss -Htn state established "dport = :$aport" | grep -c .)
check "$([ "$up" -ge 1 ] && echo 0 || echo 1)" "nginx keeps idle keep-alive connections open to articled (proxy_http_version 1.1)" "$up connections"
kill "$npid" 2>/dev/null
wait "$npid" 2>/dev/null
npid=
kill "$apid" 2>/dev/null
wait "$apid" 2>/dev/null
arc=$?
apid=
check "$([ "$arc" = 0 ] && echo 0 || echo 1)" "articled exits 0 on SIGTERM" "exit status $arc"
check "$(grep -qE 'Sanitizer|runtime error' "$tmp/articled.err" && echo 1 || echo 0)" "articled's stderr has no sanitizer report" "$(grep -m 3 -E 'Sanitizer|runtime error' "$tmp/articled.err")"
check "$(grep -qE '\[(alert|crit|emerg)\]' "$tmp/nginx/logs/error.log" && echo 1 || echo 0)" "nginx logged no alert" "$(grep -m 3 -E '\[(alert|crit|emerg)\]' "$tmp/nginx/logs/error.log")"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
