#!/usr/bin/env bash
# Two steps of making a guest's initramfs:
#   mkinitrd.sh modules UNPACKED-ROOT ABI OUTDIR   the modules the guest needs to mount
#       the host's root over 9p with an overlay, in dependency order and decompressed so
#       busybox insmod takes them (OUTDIR/order lists them); run once per kernel
#   mkinitrd.sh image MODULES-DIR ARCH OUT.cpio.gz [SRC:DST...]   busybox, tests/vm/init
#       and those modules; run per boot, so a change to init needs no new download.
#       SRC:DST pairs go into the image too (arm64 guests carry their programs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
step=$1
shift
if [ "$step" = modules ]; then
	root=$1 abi=$2 mods=$3
	mkdir -p "$mods"
	depmod -b "$root" "$abi"
	: >"$mods/order"
	for m in virtio_pci virtio_mmio 9pnet_virtio 9p overlay; do
		modprobe -d "$root" -S "$abi" --show-depends "$m" 2>/dev/null | while read -r kind path _; do
			[ "$kind" = insmod ] || continue # "builtin X": nothing to load
			base=$(basename "$path")
			base=${base%.xz}
			base=${base%.zst}
			grep -qx "$base" "$mods/order" && continue
			case "$path" in
			*.xz) xz -dc "$path" >"$mods/$base" ;;
			*.zst) zstd -qdc "$path" >"$mods/$base" ;;
			*) cp "$path" "$mods/$base" ;;
			esac
			echo "$base" >>"$mods/order"
		done
	done
	exit 0
fi

mods=$1 arch=$2 out=$3
shift 3
cache=${TTYTOP_CACHE:-/var/cache/ttytop}
# busybox-static of another architecture is fetched, not installed: as a package it
# would replace this machine's own /bin/busybox, which the amd64 guests carry
foreign_busybox() {
	local arch=$1 bb=$cache/busybox-$1/busybox suite aptdir uri tmp
	[ -x "$bb" ] && { echo "$bb"; return 0; }
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	. "$here/../../tools/mirror.sh"
	uri=$(mirror)
	[ -n "$suite" ] && [ -n "$uri" ] || { echo "mkinitrd.sh: no Debian mirror or suite to fetch busybox-static:$arch from" >&2; return 1; }
	aptdir=$cache/apt/$suite-$arch
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$aptdir/sources.list"
	set -- -o Dir::Etc::SourceList="$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$aptdir/lists" -o Dir::Cache="$aptdir/cache" \
		-o APT::Architecture="$arch" -o APT::Architectures::="$arch"
	tmp=$(mktemp -d)
	# the lists kernel.sh keeps for this suite do; a first download refreshes them
	(cd "$tmp" && apt-get -qq "$@" download busybox-static 2>/dev/null) ||
		(apt-get -qq "$@" update >/dev/null 2>&1 && cd "$tmp" && apt-get -qq "$@" download busybox-static) || {
		echo "mkinitrd.sh: cannot download busybox-static:$arch from $suite" >&2
		rm -rf "$tmp"
		return 1
	}
	dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/root"
	mkdir -p "$(dirname "$bb")"
	cp "$tmp/root/bin/busybox" "$bb.tmp" && mv "$bb.tmp" "$bb"
	rm -rf "$tmp"
	echo "$bb"
}
busybox=${BUSYBOX:-/bin/busybox}
if [ "$arch" = arm64 ]; then
	busybox=${BUSYBOX_ARM64:-$(foreign_busybox arm64)} || exit 1
fi
[ -x "$busybox" ] || { echo "mkinitrd.sh: no busybox at $busybox (busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,mnt,new,lib}
cp "$busybox" "$work/bin/busybox"
cp "$here/init" "$work/init"
chmod +x "$work/init"
cp -r "$mods" "$work/lib/modules"
for pair in "$@"; do
	mkdir -p "$work/$(dirname "${pair#*:}")"
	cp "${pair%%:*}" "$work/${pair#*:}"
done
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
