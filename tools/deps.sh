#!/bin/sh
# deps.sh run|test: installs, with apt-get, the Debian packages articled needs to
# build and run (run) or to build and pass every test (test). Does nothing for
# packages already installed, so it is cheap to call before every build.
set -eu
run_pkgs="build-essential pkg-config libmicrohttpd-dev libcjson-dev libcurl4-openssl-dev zlib1g-dev libxml2-dev libstemmer-dev"
test_pkgs="$run_pkgs libcriterion-dev curl wrk strace prometheus nginx-light clang libclang-rt-14-dev zzuf slowhttptest"
case "${1:-run}" in
run) want=$run_pkgs ;;
test) want=$test_pkgs ;;
*) echo "usage: deps.sh run|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
