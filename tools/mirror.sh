# Sourced, not run: mirror() prints the Debian archive that this machine's own apt
# sources name (deb822 .sources first, then one-line .list), so no host name is
# written anywhere in the tree. Used by tests/vm/kernel.sh (kernels),
# tools/gotoolchain.sh (Go toolchains), tools/cjson.sh and tools/zydis.sh (source packages).
mirror() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		u=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
}

# A private apt directory for another suite (kernels, Go toolchains), so that the
# system's own apt state is never touched: suite_apt SUITE ARCH sets aptdir
# ($cache/apt/SUITE-ARCH), writes its one-line sources.list naming mirror(), and
# returns 1 when this machine names no Debian mirror. apt_ and apt_cache then
# run apt-get and apt-cache on it; suite_apt_refresh updates its lists when they
# are over a day old (a cached kernel or toolchain needs no network) and returns
# 1 when they were fresh.
suite_apt() {
	local uri
	apt_suite=$1 apt_arch=$2
	aptdir=$cache/apt/$apt_suite-$apt_arch
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	uri=$(mirror)
	[ -n "$uri" ] || return 1
	echo "deb [arch=$apt_arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $apt_suite main" \
		>"$aptdir/sources.list"
}
apt_opts() {
	printf '%s\n' -o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache" \
		-o "APT::Architecture=$apt_arch" -o "APT::Architectures::=$apt_arch"
}
apt_() {
	local o
	mapfile -t o < <(apt_opts)
	apt-get -qq "${o[@]}" "$@"
}
apt_cache() {
	local o
	mapfile -t o < <(apt_opts)
	apt-cache "${o[@]}" "$@"
}
suite_apt_refresh() {
	[ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ] || return 1
	apt_ update 2>"$aptdir/update.err" || true
}

# fetch_source PKG DEVPKG DIR: Debian's source package PKG unpacked into DIR (the
# version of the installed DEVPKG when the archive still has it: the objects are
# compiled against its headers; else the suite's newest), DIR/version naming it.
# Through a private apt directory whose deb-src lines name mirror(). 1 on failure,
# with a message.
fetch_source() {
	local pkg=$1 dev=$2 dir=$3 uri suite ver
	uri=$(mirror)
	[ -n "$uri" ] || { echo "$pkg: no Debian mirror in this machine's apt sources" >&2; return 1; }
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$suite" ] || { echo "$pkg: no VERSION_CODENAME in /etc/os-release" >&2; return 1; }
	aptdir=$cache/apt/src-$suite apt_arch=$(dpkg --print-architecture)
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	{
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite-updates main"
	} >"$aptdir/sources.list"
	apt_ update || return 1
	rm -rf "$dir"
	mkdir -p "$dir"
	ver=$(dpkg-query -W -f='${Version}' "$dev" 2>/dev/null || true)
	(cd "$dir" && { [ -n "$ver" ] && apt_ source "$pkg=$ver" >/dev/null 2>&1 || apt_ source "$pkg" >/dev/null; }) || {
		echo "cannot fetch the $pkg source package" >&2
		return 1
	}
	basename "$(ls "$dir"/*.dsc)" .dsc >"$dir/version"
}
