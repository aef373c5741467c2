#!/usr/bin/env bash
# Debian's libzydis-dev ships no static archive; the x86-64 dist binary needs one
# (src/arch_x86.c decodes runtime.startTheWorldWithSema with it). This builds
# OUTDIR/libZydis.a for the compiler CC from Debian's own zydis source package (the
# version of the installed libzydis-dev when the archive still has it): the decoder
# only (Decoder.c and the tables it reads), which needs nothing from Zycore but
# its headers, so no Zydis code lives in this tree.
#   tools/zydis.sh CC OUTDIR
# The source is fetched once into $TTYTOP_CACHE (default /var/cache/ttytop) with a
# private apt directory whose deb-src line names this machine's own mirror.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cc=${1:?usage: zydis.sh CC OUTDIR} out=${2:?usage: zydis.sh CC OUTDIR}
cache=${TTYTOP_CACHE:-/var/cache/ttytop}
. "$here/mirror.sh"

ar=ar
case $cc in *-gcc) ar=${cc%gcc}ar ;; esac

src=$cache/src/zydis
if [ ! -f "$src/ready" ]; then
	fetch_source zydis libzydis-dev "$src.tmp" || exit 1
	dir=$(find "$src.tmp" -mindepth 3 -maxdepth 3 -path '*/src/Decoder.c' -printf '%h\n' | head -1)
	[ -n "$dir" ] || { echo "zydis.sh: no src/Decoder.c in the zydis source package" >&2; exit 1; }
	mv "$(dirname "$dir")" "$src.tmp/zydis"
	find "$src.tmp" -mindepth 1 -maxdepth 1 ! -name zydis ! -name version -exec rm -rf {} +
	touch "$src.tmp/ready"
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi

mkdir -p "$out"
objs=()
# the package's own include/ for Zydis, the installed libzycore-dev for Zycore's headers
for f in Decoder DecoderData SharedData Register; do
	"$cc" -std=c11 -O2 -fno-strict-aliasing -Wall -DZYDIS_STATIC_BUILD -DZYCORE_STATIC_BUILD \
		-DNDEBUG -I"$src/zydis/include" -I"$src/zydis/src" -c "$src/zydis/src/$f.c" -o "$out/$f.o"
	objs+=("$out/$f.o")
done
rm -f "$out/libZydis.a"
"$ar" rcs "$out/libZydis.a" "${objs[@]}"
echo "zydis.sh: $out/libZydis.a (decoder) from $(cat "$src/version")" >&2
