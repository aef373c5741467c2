#!/usr/bin/env bash
# Install the Debian packages given as arguments that are not installed yet.
# Quiet when everything is present; one apt-get update at most.
set -eu
missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "ttytop: missing packages: ${missing[*]}; run 'sudo make deps' (or install them)" >&2
	exit 1
fi
echo "ttytop: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# a foreign package (libbpf-dev:arm64, for `make dist`) needs its architecture known
# to dpkg first; the update below then fetches that architecture's lists
for p in "${missing[@]}"; do
	case $p in *:*) a=${p##*:} ;; *) continue ;; esac
	[ "$a" = "$(dpkg --print-architecture)" ] && continue
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
