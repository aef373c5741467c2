#!/usr/bin/env bash
# `make dist`: one statically linked ttytop per architecture, in its own build dir,
# then dist/SHA256SUMS. A binary whose bytes did not change keeps its file (and
# time), so a second run is quick and changes nothing.
#   tools/dist.sh VERSION [x86_64|aarch64 ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=${1:?usage: dist.sh VERSION [ARCH...]}
shift
[ $# -gt 0 ] || set -- x86_64 aarch64
make=${MAKE:-make}
mkdir -p dist

for m in "$@"; do
	case $m in
	x86_64) arch=x86 cross= libdir=/usr/lib/x86_64-linux-gnu ;;
	aarch64) arch=arm64 cross=aarch64-linux-gnu- libdir=/usr/lib/aarch64-linux-gnu ;;
	*) echo "dist.sh: unknown architecture $m (x86_64, aarch64)" >&2; exit 1 ;;
	esac
	# what the architecture needs from the tree: its BPF types and its user-space half
	for f in bpf/$arch/vmlinux.h src/arch_$arch.c; do
		[ -f "$f" ] || { echo "dist.sh: $m: $f is missing" >&2; exit 1; }
	done
	b=build/dist-$arch
	$make --no-print-directory B="$b" ARCH="$arch" CC="${cross}gcc" AR="${cross}ar" \
		DIST_LDFLAGS="-L$libdir" "$b/ttytop.static"
	out=dist/ttytop-$version-linux-$m
	# debug info off (most of the size), symbols kept: a crash report still names functions
	"${cross}strip" --strip-debug -o "$out.tmp" "$b/ttytop.static"
	if cmp -s "$out.tmp" "$out"; then
		rm -f "$out.tmp"
	else
		chmod 0755 "$out.tmp"
		mv "$out.tmp" "$out"
		echo "dist: $out ($(stat -c %s "$out") bytes)"
	fi
	# a static executable has no program interpreter and needs no library
	if readelf -lW "$out" | grep -q 'INTERP' || readelf -dW "$out" | grep -q '(NEEDED)'; then
		echo "dist.sh: $out is not statically linked" >&2
		exit 1
	fi
done

(cd dist && sha256sum ttytop-"$version"-linux-* >SHA256SUMS.tmp)
if cmp -s dist/SHA256SUMS.tmp dist/SHA256SUMS; then
	rm -f dist/SHA256SUMS.tmp
else
	mv dist/SHA256SUMS.tmp dist/SHA256SUMS
fi
