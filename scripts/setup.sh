#!/usr/bin/env bash
# Installs what the build and the tests need, where it is missing: Debian's daemontools and
# ucspi-tcp (the references the differential and interop tests compare against), Debian's
# ucspi-tcp-ipv6 (which conflicts with ucspi-tcp, so it is unpacked privately into
# /opt/ucspi-tcp-ipv6), runit, s6 and busybox (peers in the interop and lifecycle tests and
# the benchmarks), `file` (the static check), util-linux (prlimit, unshare), the musl target
# and the standard library's source (the static build).
set -euo pipefail
need=()
for pkg_bin in daemontools:/usr/bin/supervise runit:/usr/bin/runsv s6:/usr/bin/s6-svscan \
               busybox:/bin/busybox ucspi-tcp:/usr/bin/tcpserver \
               file:/usr/bin/file util-linux:/usr/bin/prlimit; do
  [ -x "${pkg_bin#*:}" ] || need+=("${pkg_bin%%:*}")
done
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
ipv6=/opt/ucspi-tcp-ipv6
if [ ! -x "$ipv6/usr/bin/tcpserver" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  work=$(mktemp -d)
  (cd "$work" && apt-get download -qq ucspi-tcp-ipv6 >/dev/null 2>&1)
  mkdir -p "$ipv6"
  dpkg-deb -x "$work"/ucspi-tcp-ipv6_*.deb "$ipv6"
  rm -rf "$work"
fi
rustup target list --installed | grep -qx x86_64-unknown-linux-musl \
  || rustup target add x86_64-unknown-linux-musl
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
