# Sourced, not run: mirror() prints the Debian archive that this machine's own apt
# sources name (deb822 .sources first, then one-line .list), so no host name is
# written anywhere in the tree. Used by tests/vm/kernel.sh (kernels) and
# tools/cjson.sh (source packages).
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
