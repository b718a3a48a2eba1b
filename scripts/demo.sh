#!/usr/bin/env bash
# Builds the static daemonbox and shows it at work in a temporary directory:
#  1. an exec chain: envdir + setuidgid + softlimit, its output stamped by tai64n and made
#     readable by tai64nlocal;
#  2. a supervision tree: svscan starts a demo service and its multilog logger (a runline
#     script, no shell); svstat reports them, the logged lines are shown, and one TERM stops
#     everything in order.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building the static executable (scripts/build-static.sh)"
echo "   The first build compiles the standard library as well: about a minute on two cores"
echo "   (plus fetching the musl target and the crates if they are missing); later ones are quick."
bin=$(DAEMONBOX_PROGRESS=1 scripts/build-static.sh | tail -n 1)
bin=$(realpath "$bin")
echo "   built: $bin ($(stat -c %s "$bin") bytes)"
work=$(mktemp -d /tmp/daemonbox-demo.XXXXXX)
scan_pid=
cleanup() {
  if [ -n "$scan_pid" ]; then
    kill "$scan_pid" 2>/dev/null || true
    wait "$scan_pid" 2>/dev/null || true
  fi
  "$work/bin/svc" -dx "$work/service/demo" "$work/service/demo/log" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/bin"
"$bin" --install "$work/bin"
export PATH="$work/bin:$PATH"

echo "== exec chain: envdir, setuidgid, softlimit, tai64n | tai64nlocal"
mkdir "$work/env"
echo "hello from daemonbox" >"$work/env/GREETING"
account=$(id -un)
[ "$(id -u)" = 0 ] && account=nobody
envdir "$work/env" setuidgid "$account" softlimit -m 50000000 \
  sh -c 'echo "$GREETING, running as uid $(id -u) with data limit $(ulimit -d) KiB"' \
  | tai64n | tai64nlocal

echo "== supervision tree: svscan, supervise, multilog"
mkdir -p "$work/service/demo/log"
cat >"$work/service/demo/run" <<'RUN'
#!/bin/sh
exec 2>&1
n=0
while :; do n=$((n + 1)); echo "demo: tick $n"; sleep 0.2; done
RUN
# The logger needs no shell: runline runs the file's one command line.
cat >"$work/service/demo/log/run" <<RUN
#!$work/bin/runline
multilog t s4096 n3 ./main
RUN
chmod +x "$work/service/demo/run" "$work/service/demo/log/run"
svscan -1 "$work/service" &
scan_pid=$!
for _ in $(seq 100); do
  svok "$work/service/demo" && svok "$work/service/demo/log" && break
  sleep 0.05
done
sleep 1.5
svstat "$work/service/demo" "$work/service/demo/log"
echo "-- last logged lines:"
tail -n 3 "$work/service/demo/log/main/current" | tai64nlocal
# Container mode (-1): one TERM stops every service, then its logger once the service is
# gone, so the last lines reach the disk; svscan exits 0 when all stopped in time.
kill -TERM "$scan_pid"
status=0
wait "$scan_pid" || status=$?
scan_pid=
echo "svscan exited with status $status"
svstat "$work/service/demo" "$work/service/demo/log"
echo "-- lines on disk: $(cat "$work/service/demo/log/main/"* | wc -l)"
