#!/usr/bin/env bash
# ucspi-tcp benchmark: daemonbox's tcpserver against Debian's ucspi-tcp tcpserver and
# busybox's tcpsvd, and daemonbox's tcprules/tcprulescheck against Debian's, in one run:
#   1. accept-to-exec rate: a bounded load generator (python3, 32 connections in flight,
#      client addresses spread over 127.0.0.0/8) opens N connections to each server, whose
#      program prints one byte and exits; connections per second.
#   2. latency from connect to the program's first byte, one connection at a time.
#   3. memory of an idle server: RSS and Pss.
#   4. cdb lookups: tcprulescheck on a database of 100,000 rules, 500 lookups per run.
#   5. tcprules building that database from 100,000 lines.
# Every server runs without name or ident lookups (tcpserver -HRl0, tcpsvd without -h),
# with a limit of 40 and the program given by absolute path. Medians of the runs, and
# ratios (Debian or busybox over daemonbox: above 1 means daemonbox is faster/smaller).
# Usage: flock /tmp/daemonbox-bench.lock scripts/bench-ucspi.sh [runs] [connections]
#   (default 7 runs of 2000 connections; needs python3, gcc and make, and Debian's ucspi-tcp).
# Debian's busybox packages leave tcpsvd out, so unless $BUSYBOX names a busybox that has it,
# one is built (once, cached in /var/cache/daemonbox-bench) from Debian's busybox source,
# fetched with apt-get source through a private source list: tcpsvd only, linked statically.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
conns=${2:-2000}
for tool in /usr/bin/tcpserver /usr/bin/tcprules /usr/bin/tcprulescheck python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing" >&2; exit 1; }
done
ours=$(realpath "$(scripts/build-static.sh | tail -n 1)")
work=$(mktemp -d /tmp/bench-ucspi.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/bin"
for a in tcpserver tcprules tcprulescheck; do ln -s "$ours" "$work/bin/$a"; done
# The program: prints "x" and exits, given by absolute path (no PATH search).
prog=/bin/echo

# A busybox with tcpsvd: $BUSYBOX, the installed one if it has it, or one built here.
busybox_with_tcpsvd() {
  local cache=/var/cache/daemonbox-bench src
  if [ -n "${BUSYBOX:-}" ]; then echo "$BUSYBOX"; return; fi
  if busybox --list 2>/dev/null | grep -qx tcpsvd; then command -v busybox; return; fi
  if [ ! -x "$cache/busybox" ]; then
    mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" > "$cache/apt/sources.list"
    local o=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
             -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt/cache")
    apt-get -qq "${o[@]}" update >&2
    (cd "$cache" && apt-get -qq "${o[@]}" source --download-only busybox >&2)
    src=$(mktemp -d)
    tar -xjf "$cache"/busybox_*.orig.tar.bz2 -C "$src"
    (cd "$src"/busybox-* && make -s allnoconfig >/dev/null \
      && sed -i 's/# CONFIG_TCPSVD is not set/CONFIG_TCPSVD=y/; s/# CONFIG_STATIC is not set/CONFIG_STATIC=y/' .config \
      && make -s oldconfig </dev/null >/dev/null 2>&1 && make -s -j2 busybox >/dev/null 2>&1 \
      && cp busybox "$cache/busybox")
    rm -rf "$src"
    [ -x "$cache/busybox" ] || { echo "error: could not build a busybox with tcpsvd" >&2; exit 1; }
  fi
  echo "$cache/busybox"
}
busybox=$(busybox_with_tcpsvd)

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

cat > "$work/load.py" <<'EOF'
# load.py MODE PORT N: MODE rate -> connections per second with 32 in flight;
# MODE latency -> median microseconds from connect to the first byte, one at a time.
import selectors, socket, statistics, sys, time
mode, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sources = ["127.0.%d.%d" % (i // 250, i % 250 + 2) for i in range(4000)]
def sock(i):
    s = socket.socket()
    s.bind((sources[i % len(sources)], 0))
    return s
if mode == "latency":
    lat = []
    for i in range(total):
        s = sock(i)
        t0 = time.perf_counter()
        s.connect(("127.0.0.1", port))
        if not s.recv(1):
            sys.exit("no byte")
        lat.append((time.perf_counter() - t0) * 1e6)
        s.close()
    print(int(statistics.median(lat)))
    sys.exit()
sel = selectors.DefaultSelector()
started = done = inflight = 0
t0 = time.perf_counter()
while done < total:
    while inflight < 32 and started < total:
        s = sock(started)
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        sel.register(s, selectors.EVENT_READ)
        started += 1
        inflight += 1
    for key, _ in sel.select():
        s = key.fileobj
        try:
            data = s.recv(64)
        except ConnectionError:
            data = b""
        if not data:
            sel.unregister(s)
            s.close()
            done += 1
            inflight -= 1
print(int(total / (time.perf_counter() - t0)))
EOF

# start NAME CMD...: starts a server on a free port (written to $work/NAME.port).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() {
  local name=$1; shift
  local port; port=$(free_port)
  "$@" 127.0.0.1 "$port" "$prog" x >/dev/null 2>&1 &
  pids+=($!)
  echo "$port" > "$work/$name.port"
  echo "$!" > "$work/$name.pid"
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "error: $name did not start" >&2; exit 1
}
start ours "$work/bin/tcpserver" -HRl0 -c40
start debian /usr/bin/tcpserver -HRl0 -c40
start busybox "$busybox" tcpsvd -c 40

mem() { # prints "RSS-kB Pss-kB" of the server NAME
  local pid; pid=$(cat "$work/$1.pid")
  echo "$(awk '/^VmRSS/ {print $2}' /proc/$pid/status) $(awk '/^Pss:/ {print $2}' /proc/$pid/smaps_rollup)"
}
read -r ours_rss ours_pss <<<"$(mem ours)"
read -r debian_rss debian_pss <<<"$(mem debian)"
read -r busybox_rss busybox_pss <<<"$(mem busybox)"

echo "tcpserver: $runs runs of $conns connections (32 in flight), program $prog; tcpsvd: $busybox"
for name in ours debian busybox; do
  port=$(cat "$work/$name.port")
  python3 "$work/load.py" rate "$port" 200 >/dev/null   # warm-up
  for _ in $(seq "$runs"); do python3 "$work/load.py" rate "$port" "$conns"; done | median > "$work/$name.rate"
  for _ in $(seq "$runs"); do python3 "$work/load.py" latency "$port" 200; done | median > "$work/$name.lat"
done
r_o=$(cat "$work/ours.rate"); r_d=$(cat "$work/debian.rate"); r_b=$(cat "$work/busybox.rate")
l_o=$(cat "$work/ours.lat"); l_d=$(cat "$work/debian.lat"); l_b=$(cat "$work/busybox.lat")
echo "accept-to-exec rate:  daemonbox $r_o/s | Debian tcpserver $r_d/s (daemonbox $(ratio "$r_o" "$r_d")x) | busybox tcpsvd $r_b/s (daemonbox $(ratio "$r_o" "$r_b")x)"
echo "connect-to-first-byte: daemonbox $l_o us | Debian tcpserver $l_d us ($(ratio "$l_d" "$l_o")x) | busybox tcpsvd $l_b us ($(ratio "$l_b" "$l_o")x)"
echo "idle memory (RSS/Pss kB): daemonbox $ours_rss/$ours_pss | Debian tcpserver $debian_rss/$debian_pss | busybox tcpsvd $busybox_rss/$busybox_pss"

# cdb: 100,000 rules, built by each tcprules (the databases must be identical).
awk 'BEGIN { for (i = 0; i < 100000; i++)
  printf "%d.%d.%d.%d:allow,N=\"%d\"\n", 10 + i % 200, int(i / 200) % 256, int(i / 51200) % 256, i % 7, i }' > "$work/rules"
build_ms() {
  local times=() start end
  for _ in $(seq "$runs"); do
    start=$(date +%s%N); "$1" "$work/$2.cdb" "$work/$2.tmp" < "$work/rules"; end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | median
}
b_o=$(build_ms "$work/bin/tcprules" ours); b_d=$(build_ms /usr/bin/tcprules debian)
cmp -s "$work/ours.cdb" "$work/debian.cdb" || { echo "error: the databases differ" >&2; exit 1; }
echo "tcprules, 100000 rules ($(stat -c %s "$work/ours.cdb") bytes, identical): daemonbox $b_o us | Debian $b_d us ($(ratio "$b_d" "$b_o")x)"
lookups_ms() {
  local times=() start end i
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    for i in $(seq 500); do
      TCPREMOTEIP="$((10 + i % 200)).$((i / 7 % 256)).0.$((i % 7))" "$1" "$work/ours.cdb" >/dev/null
    done
    end=$(date +%s%N)
    times+=($(( (end - start) / 500000 )))
  done
  printf '%s\n' "${times[@]}" | median
}
c_o=$(lookups_ms "$work/bin/tcprulescheck"); c_d=$(lookups_ms /usr/bin/tcprulescheck)
echo "tcprulescheck lookup (process included): daemonbox $c_o us | Debian $c_d us ($(ratio "$c_d" "$c_o")x)"
