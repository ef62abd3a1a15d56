#!/usr/bin/env bash
# Installs promtool (checks and unit-tests deploy/prometheus rule files) into the Lapse cache,
# idempotently: $LAPSE_CACHE/bin/promtool.
#
# promtool comes from Debian's `prometheus` package (the same promtool, built by Debian from
# github.com/prometheus/prometheus), unpacked with dpkg-deb: nothing is installed system-wide and
# no Prometheus service is started. `go install github.com/prometheus/prometheus/cmd/promtool`
# builds the whole Prometheus module graph (service discovery for every cloud), several minutes
# of both cores here; the package takes seconds.
set -euo pipefail
cache="${LAPSE_CACHE:-$HOME/.cache/lapse}"
bin="$cache/bin/promtool"
dir="$cache/promtool"

if [[ -x "$bin" ]] && "$bin" --version >/dev/null 2>&1; then
  exit 0
fi

mkdir -p "$dir" "$cache/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# apt-get download runs as the _apt user where it can; a root-owned temp dir is fine either way.
chmod 0777 "$work"
if ! apt-get download prometheus >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  apt-get download prometheus >/dev/null
fi
deb="$(ls prometheus_*.deb)"
dpkg-deb -x "$deb" "$work/root"
install -m 0755 "$work/root/usr/bin/promtool" "$dir/promtool"
ln -sf "$dir/promtool" "$bin"
echo "promtool: $("$bin" --version 2>&1 | head -1) (from $deb)"
