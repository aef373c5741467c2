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
	uri=$(mirror)
	[ -n "$uri" ] || { echo "cjson.sh: no Debian mirror in this machine's apt sources" >&2; exit 1; }
	. /etc/os-release
	suite=${VERSION_CODENAME:?cjson.sh: no VERSION_CODENAME in /etc/os-release}
	aptdir=$cache/apt/src-$suite
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	{
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite-updates main"
	} >"$aptdir/sources.list"
	apt_() {
		apt-get -qq -o Dir::Etc::SourceList="$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
			-o Dir::State::Lists="$aptdir/lists" -o Dir::Cache="$aptdir/cache" "$@"
	}
	apt_ update
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	# the headers the objects are compiled against are the installed libcjson-dev's:
	# its own version first, the suite's newest when the archive no longer has it
	ver=$(dpkg-query -W -f='${Version}' libcjson-dev 2>/dev/null || true)
	(cd "$src.tmp" && { [ -n "$ver" ] && apt_ source "cjson=$ver" >/dev/null 2>&1 || apt_ source cjson >/dev/null; }) || {
		echo "cjson.sh: cannot fetch the cjson source package" >&2
		exit 1
	}
	dir=$(find "$src.tmp" -mindepth 2 -maxdepth 2 -name cJSON.c -printf '%h\n' | head -1)
	[ -n "$dir" ] || { echo "cjson.sh: no cJSON.c in the cjson source package" >&2; exit 1; }
	mv "$dir" "$src.tmp/cjson"
	basename "$(ls "$src.tmp"/*.dsc)" .dsc >"$src.tmp/version"
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
