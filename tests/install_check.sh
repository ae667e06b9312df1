#!/usr/bin/env bash
# cmake --install into a temporary prefix, then build and run a separate
# project that finds it with find_package(brainbody).
# usage: install_check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/brainbody/proto.h"
test -x "$tmp/prefix/bin/brainbody"
cmake -S "$src/tests/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
"$tmp/consumer/consumer" "$src/models/forelimb_demo/forelimb.xml"
