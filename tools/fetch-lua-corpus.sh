#!/usr/bin/env bash
# The Lua files that `structured bench fim` cuts: every .lua file of four pure-Lua Debian packages (MIT licensed),
# unpacked into the folder given (default /tmp/luafiles). Needs apt-get (Debian or Ubuntu) and network access to
# the package mirror; nothing is installed.
set -euo pipefail
out="${1:-/tmp/luafiles}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
if ! (cd "$work" && apt-get download lua-penlight lua-argparse lua-inspect lua-json >/dev/null); then
  echo "error: apt-get could not download the packages; on a fresh machine run 'apt-get update' first" >&2
  exit 1
fi
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
i=0
find "$work/x" -name '*.lua' -type f | sort -u | while read -r f; do
  i=$((i + 1))
  cp "$f" "$out/$(printf %02d "$i")-$(basename "$f")"
done
echo "$(ls "$out" | wc -l) files in $out"
