#!/usr/bin/env bash
# Installs what the build and the tests need, where it is missing: Debian's daemontools
# (the reference the differential and interop tests compare against), runit, s6 and busybox
# (peers in the interop and lifecycle tests and the benchmarks), `file` (the static check), util-linux
# (prlimit, unshare), the musl target and the standard library's source (the static build).
set -euo pipefail
need=()
for pkg_bin in daemontools:/usr/bin/supervise runit:/usr/bin/runsv s6:/usr/bin/s6-svscan \
               busybox:/bin/busybox \
               file:/usr/bin/file util-linux:/usr/bin/prlimit; do
  [ -x "${pkg_bin#*:}" ] || need+=("${pkg_bin%%:*}")
done
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
rustup target list --installed | grep -qx x86_64-unknown-linux-musl \
  || rustup target add x86_64-unknown-linux-musl
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
