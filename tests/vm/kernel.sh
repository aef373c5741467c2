#!/usr/bin/env bash
# Fetch one kernel of tests/vm/kernels.list from Debian and make it bootable:
#   tests/vm/kernel.sh NAME        prints the directory holding vmlinuz, config and
#                                  modules/ (what the guest's initramfs loads)
# Everything is cached under $TTYTOP_CACHE (default /var/cache/ttytop), outside the
# clone, so fresh CI clones reuse it. The mirror is read from this machine's own apt
# configuration; no host name is written anywhere in the tree.
# Exit 0 = ready, 3 = cannot be fetched (reason on stderr), 1 = other error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: kernel.sh NAME}
cache=${TTYTOP_CACHE:-/var/cache/ttytop}

read -r _ suite arch meta _ < <(awk -v n="$name" '$1 == n && $1 !~ /^#/' "$here/kernels.list") ||
	{ echo "kernel.sh: $name is not in kernels.list" >&2; exit 1; }

# mirror(): the Debian archive this machine's apt sources name
. "$here/../../tools/mirror.sh"

# The package lists are refreshed once a day; a cached kernel boots without the network.
if ! suite_apt "$suite" "$arch"; then
	echo "kernel.sh: no Debian mirror in this machine's apt sources" >&2
	exit 3
fi
suite_apt_refresh || true
# the meta-package names the current ABI: linux-image-6.1.0-50-amd64 (signed) or -rt-
pkg=$(apt_cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
if [ -z "$pkg" ]; then
	# offline: fall back to the newest kernel of this name already prepared
	last=$(cat "$cache/kernels/$name.current" 2>/dev/null || true)
	if [ -n "$last" ] && [ -f "$cache/kernels/$last/ready" ]; then
		echo "$cache/kernels/$last"
		exit 0
	fi
	echo "kernel.sh: $meta not found in $suite ($(tail -1 "$aptdir/update.err" 2>/dev/null))" >&2
	exit 3
fi
abi=${pkg#linux-image-}
dir=$cache/kernels/$abi
if [ -f "$dir/ready" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/deb" "$dir.tmp/root"
(cd "$dir.tmp/deb" && apt_ download "$pkg-unsigned" 2>/dev/null) ||
	(cd "$dir.tmp/deb" && apt_ download "$pkg" 2>/dev/null) || {
	echo "kernel.sh: cannot download $pkg from $suite" >&2
	rm -rf "$dir.tmp"
	exit 3
}
dpkg-deb -x "$dir.tmp"/deb/*.deb "$dir.tmp/root"
cp "$dir.tmp/root/boot/vmlinuz-$abi" "$dir.tmp/vmlinuz"
cp "$dir.tmp/root/boot/config-$abi" "$dir.tmp/config"
"$here/mkinitrd.sh" modules "$dir.tmp/root" "$abi" "$dir.tmp/modules"
echo "$name $suite $arch $pkg" >"$dir.tmp/kernel"
rm -rf "$dir.tmp/deb" "$dir.tmp/root"
touch "$dir.tmp/ready"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$abi" >"$cache/kernels/$name.current"
echo "$dir"
