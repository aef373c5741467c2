#!/usr/bin/env bash
# Debian's libcjson-dev ships no static archive; the dist binaries need one. This
# builds OUTDIR/libcjson.a for the compiler CC from Debian's own cjson source package
# (the version of the installed libcjson-dev when the archive still has it), so no
# cJSON code lives in this tree.
#   tools/cjson.sh CC OUTDIR
# The source is fetched once into $TTYTOP_CACHE (default /var/cache/ttytop) with a
# private apt directory whose deb-src line names this machine's own mirror.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cc=${1:?usage: cjson.sh CC OUTDIR} out=${2:?usage: cjson.sh CC OUTDIR}
cache=${TTYTOP_CACHE:-/var/cache/ttytop}
. "$here/mirror.sh"

# the ar that knows CC's object format: aarch64-linux-gnu-gcc -> aarch64-linux-gnu-ar
ar=ar
case $cc in *-gcc) ar=${cc%gcc}ar ;; esac

src=$cache/src/cjson
if [ ! -f "$src/ready" ]; then
	fetch_source cjson libcjson-dev "$src.tmp" || exit 1
	dir=$(find "$src.tmp" -mindepth 2 -maxdepth 2 -name cJSON.c -printf '%h\n' | head -1)
	[ -n "$dir" ] || { echo "cjson.sh: no cJSON.c in the cjson source package" >&2; exit 1; }
	mv "$dir" "$src.tmp/cjson"
	find "$src.tmp" -mindepth 1 -maxdepth 1 ! -name cjson ! -name version -exec rm -rf {} +
	touch "$src.tmp/ready"
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi

mkdir -p "$out"
# the flags of Debian's own build of the library (CMakeLists: C89, no locale tricks)
"$cc" -std=c89 -O2 -fno-strict-aliasing -Wall -c "$src/cjson/cJSON.c" -o "$out/cJSON.o"
rm -f "$out/libcjson.a"
"$ar" rcs "$out/libcjson.a" "$out/cJSON.o"
echo "cjson.sh: $out/libcjson.a from $(cat "$src/version")" >&2
