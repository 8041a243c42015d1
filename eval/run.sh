#!/bin/sh
# run.sh BUILD_DIR: runs every eval program BUILD_DIR/eval/* (each scores one
# part of the annotator on ../shared/gold or ../shared/corpus and prints
# markdown table rows) and prints them as one table under a header.
# Exits non-zero when any program fails.
set -u
b=${1:?usage: run.sh BUILD_DIR}
status=0
echo "| eval | metric | value |"
echo "|---|---|---|"
for p in "$b"/eval/*; do
    [ -f "$p" ] && [ -x "$p" ] || continue
    "$p" || { echo "| $(basename "$p") | failed | exit $? |"; status=1; }
done
exit $status
