#!/usr/bin/env bash
# Fetch one of Debian's Go toolchains and print its GOROOT:
#   tools/gotoolchain.sh 1.23      prints e.g. /var/cache/ttytop/go/1.23.5-1~bpo12+1/usr/lib/go-1.23
#   tools/gotoolchain.sh --list    the versions the fixtures are built with, one a line
# golang-1.NN-go and golang-1.NN-src (and whatever else they depend on that is named
# golang-1.NN-*) come from the Debian suite that ships that version, through the mirror
# this machine's own apt sources name (no host name is written in the tree), with a
# private apt directory shared with tests/vm/kernel.sh, and are unpacked with dpkg-deb
# under $TTYTOP_CACHE (default /var/cache/ttytop), outside the clone, so fresh clones
# reuse them. A toolchain already installed in /usr/lib/go-1.NN is used as it is.
# Exit 0 = ready, 3 = cannot be fetched (reason on stderr), 1 = other error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${TTYTOP_CACHE:-/var/cache/ttytop}

# version -> the Debian suite that ships golang-<version>
declare -A SUITE=([1.19]=bookworm [1.23]=bookworm-backports [1.24]=trixie)
if [ "${1:-}" = --list ]; then
	printf '%s\n' 1.19 1.23 1.24
	exit 0
fi
ver=${1:?usage: gotoolchain.sh 1.NN | --list}
suite=${SUITE[$ver]:-}
[ -n "$suite" ] || { echo "gotoolchain.sh: no suite known for Go $ver" >&2; exit 1; }

# installed by the system (golang-1.19 on bookworm): nothing to fetch
if [ -x "/usr/lib/go-$ver/bin/go" ] && [ -d "/usr/lib/go-$ver/src/runtime" ]; then
	echo "/usr/lib/go-$ver"
	exit 0
fi

arch=$(dpkg --print-architecture)
# shellcheck source=tools/mirror.sh
. "$here/mirror.sh"
# offline or not in the suite any more: the newest one already unpacked
fallback() {
	local last
	last=$(cat "$cache/go/$ver.current" 2>/dev/null || true)
	if [ -n "$last" ] && [ -f "$cache/go/$last/ready" ]; then
		echo "$cache/go/$last/usr/lib/go-$ver"
		exit 0
	fi
	echo "gotoolchain.sh: $1" >&2
	exit 3
}

mkdir -p "$cache/go"
suite_apt "$suite" "$arch" || fallback "no Debian mirror in this machine's apt sources"
# the lists are refreshed once a day; a cached toolchain needs no network
if ! suite_apt_refresh; then
	# lists younger than a day: the toolchain resolved from them is still current
	# (apt-cache alone reads trixie's lists for a second)
	last=$(cat "$cache/go/$ver.current" 2>/dev/null || true)
	if [ -n "$last" ] && [ -f "$cache/go/$last/ready" ] && [ -z "$(find "$aptdir/lists" \
		-maxdepth 1 -name '*Packages*' -newer "$cache/go/$ver.current" 2>/dev/null)" ]; then
		echo "$cache/go/$last/usr/lib/go-$ver"
		exit 0
	fi
fi
pkgver=$(apt_cache show "golang-$ver-go" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
[ -n "$pkgver" ] || fallback "golang-$ver-go not found in $suite ($(tail -1 "$aptdir/update.err" 2>/dev/null))"
dir=$cache/go/$pkgver
if [ -f "$dir/ready" ]; then
	echo "$dir/usr/lib/go-$ver"
	exit 0
fi

# the packages: -go, -src and their dependencies of the same toolchain (golang-1.NN-*)
mapfile -t pkgs < <({
	printf '%s\n' "golang-$ver-go" "golang-$ver-src"
	apt_cache depends "golang-$ver-go" 2>/dev/null |
		awk -v p="golang-$ver-" '$1 ~ /Depends:/ && index($2, p) == 1 { print $2 }'
} | sort -u)
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/deb"
(cd "$dir.tmp/deb" && apt_ download "${pkgs[@]}" 2>"$dir.tmp/download.err") || {
	rm -rf "$dir.tmp"
	fallback "cannot download ${pkgs[*]} from $suite"
}
for d in "$dir.tmp"/deb/*.deb; do
	dpkg-deb -x "$d" "$dir.tmp"
done
rm -rf "$dir.tmp/deb" "$dir.tmp/download.err"
goroot=usr/lib/go-$ver
# the package's symlinks (src -> ../../share/go-1.NN/src) are relative: they hold here too
"$dir.tmp/$goroot/bin/go" version >/dev/null 2>&1 ||
	{ rm -rf "$dir.tmp"; echo "gotoolchain.sh: unpacked go $ver does not run" >&2; exit 1; }
echo "$ver $suite $pkgver ${pkgs[*]}" >"$dir.tmp/toolchain"
touch "$dir.tmp/ready"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$pkgver" >"$cache/go/$ver.current"
echo "$dir/$goroot"
