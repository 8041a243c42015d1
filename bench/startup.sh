#!/bin/sh
# startup.sh [DIR] [RUNS]: starts ./articled on DIR (default: the BBC corpus
# copied flat into a temporary directory), polls /readyz, and prints for each
# run the wall time to the first 200, the CPU time used by then, and the
# memory at that moment (VmHWM, VmRSS, RssAnon, RssFile from /proc/PID/status,
# and VmHWM against 5 x the corpus, the bound of issue 6), plus
# the same for an empty directory as the baseline. See docs/memory.md.
set -eu
runs=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=${1:-}
if [ -z "$dir" ]; then
    [ -d ../shared/corpus/bbc ] || { echo "startup.sh: give a directory (no ../shared/corpus/bbc)" >&2; exit 2; }
    dir=$tmp/corpus
    mkdir -p "$dir"
    for d in ../shared/corpus/bbc/*/; do
        for f in "$d"*.txt; do cp "$f" "$dir/$(basename "$d")-$(basename "$f")"; done
    done
fi
mkdir -p "$tmp/empty"
size=$(du -sb "$dir" | cut -f1)
echo "corpus: $dir, $(ls "$dir" | wc -l) files, $size bytes"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

measure() {
    port=$(free_port)
    t0=$(date +%s%N)
    ./articled --data "$1" --port "$port" --bind 127.0.0.1 --log-level error >/dev/null 2>&1 &
    pid=$!
    while ! curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
        kill -0 $pid 2>/dev/null || { echo "startup.sh: articled exited" >&2; exit 1; }
        sleep 0.005
    done
    t1=$(date +%s%N)
    cpu=$(awk '{print ($14 + $15) * 1000 / 100}' /proc/$pid/stat)
    hwm=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
    rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
    anon=$(awk '/RssAnon/{print $2}' /proc/$pid/status)
    file=$(awk '/RssFile/{print $2}' /proc/$pid/status)
    kill $pid
    wait $pid 2>/dev/null || true
    echo "$2: ready in $(( (t1 - t0) / 1000000 )) ms, CPU $cpu ms; VmHWM $hwm kB ($(awk -v a="$hwm" -v s="$size" 'BEGIN{printf "%.1f", a * 1024 / s}') x the corpus), VmRSS $rss kB, RssAnon $anon kB ($(awk -v a="$anon" -v s="$size" 'BEGIN{printf "%.1f", a * 1024 / s}') x), RssFile $file kB"
}

measure "$tmp/empty" "empty directory"
i=1
while [ $i -le "$runs" ]; do
    measure "$dir" "run $i"
    i=$((i + 1))
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
