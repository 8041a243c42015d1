#!/bin/sh
# extract.sh BUILD_DIR [GOLD_DIR] [-v]: scores the HTML article extractor on the
# article-extraction-benchmark pages (default ../shared/gold/extraction-dev)
# with the benchmark's shingle metric and prints a markdown table.
set -u
b=${1:?usage: extract.sh BUILD_DIR [GOLD_DIR] [-v]}
shift
echo "| eval | metric | value |"
echo "|---|---|---|"
exec "$b/eval/extract" "$@"
