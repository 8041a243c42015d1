#!/bin/sh
# embed.sh SYMBOL FILE... : prints C source that embeds each FILE as bytes, in a
# table named SYMBOL of struct embedded_file (see models/embedded.h), NUL-terminated
# so a file's data can be read as a string. Used by the Makefile for gazetteers,
# so the binary carries its data and needs no install path.
set -eu
sym=$1
shift
echo '#include "models/embedded.h"'
i=0
for f in "$@"; do
    echo "static const unsigned char ${sym}_$i[] = {"
    od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo "0x00};"
    i=$((i + 1))
done
echo "const struct embedded_file ${sym}[] = {"
i=0
for f in "$@"; do
    echo "    {\"$(basename "$f")\", (const char *)${sym}_$i, sizeof ${sym}_$i - 1},"
    i=$((i + 1))
done
echo "    {0, 0, 0}};"
