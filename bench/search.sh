#!/bin/sh
# search.sh [DIR [ROUNDS]]: builds bench/search.c against the search and store
# modules and runs it on the BBC corpus (default ../shared/corpus/bbc, read in
# place, never copied), printing articled search and SQLite FTS5 side by side:
# p50, p99, queries/s and the top-10 overlap (docs/search.md).
# BENCH_VERBOSE=1 adds per-query overlaps to stderr.
set -eu
dir=${1:-../shared/corpus/bbc}
rounds=${2:-200}
cc=${CC:-cc}
[ -d "$dir" ] || { echo "search.sh: no corpus at $dir (give its directory as the first argument)" >&2; exit 2; }
for h in libstemmer.h sqlite3.h cjson/cJSON.h; do
    printf '#include <%s>\n' "$h" | "$cc" -E -x c - >/dev/null 2>&1 ||
        { echo "search.sh: <$h> is missing (apt-get install libstemmer-dev libsqlite3-dev libcjson-dev)" >&2; exit 2; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Linked against the service's own library (make builds it first), so the
# benchmark runs the code that is served.
pkgs="libmicrohttpd libcjson libcurl zlib libxml-2.0"
"$cc" -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wpedantic -Wshadow -Werror -Wno-format-truncation -I. \
    $(pkg-config --cflags $pkgs) -o "$out/search" bench/search.c "${B:-build}/libarticled.a" \
    $(pkg-config --libs $pkgs) -lstemmer -lsqlite3 -lpthread -lm
"$out/search" "$dir" "$rounds"
