#!/usr/bin/env bash
# ucspi-tcp benchmark: daemonbox's tcpserver against Debian's ucspi-tcp tcpserver and
# busybox's tcpsvd, and daemonbox's tcprules/tcprulescheck against Debian's, in one run:
#   1. accept-to-exec: a bounded load generator (C, 32 connections in flight, client
#      addresses spread over 127.0.0.0/8) opens N connections to each server, whose program
#      prints one byte and exits; connections per second, and the processor time the server
#      and its children spent per connection (user + system, from /proc: steadier than
#      wall-clock rates on a shared machine).
#   2. latency from connect to the program's first byte, one connection at a time.
#   3. memory of an idle server: RSS and Pss.
#   4. cdb lookups: tcprulescheck on a database of 100,000 rules, 500 lookups per run.
#   5. tcprules building that database from 100,000 lines (the databases must be identical).
# Every server runs without name or ident lookups (tcpserver -HRl0, tcpsvd without -h), with
# a limit of 40, and the program given by absolute path. The program is a 9 KB static
# executable that makes two system calls (`PROG=/bin/echo` for an ordinary dynamic program).
# Medians of the runs, and ratios (Debian or busybox over daemonbox: above 1 means daemonbox
# is faster or smaller).
# Usage: flock /tmp/daemonbox-bench.lock scripts/bench-ucspi.sh [runs] [connections]
#   (default 7 runs of 2000 connections; needs gcc, make and Debian's ucspi-tcp).
# Debian's busybox packages leave tcpsvd out, so unless $BUSYBOX names a busybox that has it,
# one is built (once, cached in /var/cache/daemonbox-bench) from Debian's busybox source,
# fetched with apt-get source through a private source list: tcpsvd only, linked statically.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
conns=${2:-2000}
for tool in /usr/bin/tcpserver /usr/bin/tcprules /usr/bin/tcprulescheck gcc make; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing" >&2; exit 1; }
done
ours=$(realpath "$(scripts/build-static.sh | tail -n 1)")
work=$(mktemp -d /tmp/bench-ucspi.XXXXXX)
pids=()
# The servers are stopped and waited for, so none outlives the run (or holds its lock).
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/bin"
for a in tcpserver tcprules tcprulescheck svscan supervise multilog; do ln -s "$ours" "$work/bin/$a"; done

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

# The program: writes "x" and exits, nothing else (no C library).
cat > "$work/tiny.c" <<'EOF'
void _start(void) {
  __asm__ volatile("mov $1, %%eax\n mov $1, %%edi\n lea 1f(%%rip), %%rsi\n mov $1, %%edx\n"
                   " syscall\n mov $60, %%eax\n xor %%edi, %%edi\n syscall\n 1: .ascii \"x\"\n"
                   ::: "rax", "rdi", "rsi", "rdx", "rcx", "r11", "memory");
}
EOF
gcc -O2 -static -nostdlib -o "$work/tiny" "$work/tiny.c"
prog=${PROG:-$work/tiny}

# The load generator: `load rate PORT N` prints connections per second with 32 in flight;
# `load latency PORT N` the median microseconds from connect to the first byte.
cat > "$work/load.c" <<'EOF'
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#define INFLIGHT 32
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int opened(int i, int port, int nonblock) {
  int s = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
  struct sockaddr_in a; memset(&a, 0, sizeof a); a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(0x7f000000 | (((i % 4000) / 250) + 1) << 8 | ((i % 250) + 2));
  if (bind(s, (struct sockaddr *)&a, sizeof a)) { perror("bind"); exit(1); }
  a.sin_addr.s_addr = htonl(0x7f000001); a.sin_port = htons(port);
  if (connect(s, (struct sockaddr *)&a, sizeof a) && errno != EINPROGRESS) { perror("connect"); exit(1); }
  return s;
}
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  int port = atoi(argv[2]), total = atoi(argv[3]);
  char buf[64];
  if (!strcmp(argv[1], "latency")) {
    double *lat = malloc(total * sizeof *lat);
    for (int i = 0; i < total; i++) {
      double t0 = now();
      int s = opened(i, port, 0);
      if (read(s, buf, 1) != 1) { fprintf(stderr, "no byte\n"); exit(1); }
      lat[i] = (now() - t0) * 1e6;
      close(s);
    }
    qsort(lat, total, sizeof *lat, cmp);
    printf("%d\n", (int)lat[total / 2]);
    return 0;
  }
  struct pollfd p[INFLIGHT];
  int started = 0, done = 0;
  for (int i = 0; i < INFLIGHT; i++) p[i].fd = -1;
  double t0 = now();
  while (done < total) {
    for (int i = 0; i < INFLIGHT; i++)
      if (p[i].fd < 0 && started < total) { p[i].fd = opened(started++, port, 1); p[i].events = POLLIN; }
    if (poll(p, INFLIGHT, -1) < 0) { perror("poll"); exit(1); }
    for (int i = 0; i < INFLIGHT; i++) {
      if (p[i].fd < 0 || !p[i].revents) continue;
      ssize_t r = read(p[i].fd, buf, sizeof buf);
      if (r > 0 || (r < 0 && errno == EAGAIN)) continue;
      close(p[i].fd); p[i].fd = -1; done++;
    }
  }
  printf("%d\n", (int)(total / (now() - t0)));
  return 0;
}
EOF
gcc -O2 -o "$work/load" "$work/load.c"

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# Clock ticks (user + system) used by process $1 and its reaped children.
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# start NAME CMD...: starts a server on a free port (a random one, tried until the server
# answers); records its port and pid.
free_port() { echo $((20000 + RANDOM % 30000)); }
start() {
  local name=$1; shift
  local port
  for _ in $(seq 20); do
    port=$(free_port)
    "$@" 127.0.0.1 "$port" "$prog" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 50); do
      if "$work/load" latency "$port" 1 >/dev/null 2>&1; then
        pids+=("$pid"); echo "$port" > "$work/$name.port"; echo "$pid" > "$work/$name.pid"; return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "error: $name did not start" >&2; exit 1
}
start ours "$work/bin/tcpserver" -HRl0 -c40
start debian /usr/bin/tcpserver -HRl0 -c40
start busybox "$busybox" tcpsvd -c 40

mem() { # "RSS-kB Pss-kB" of server NAME
  local pid; pid=$(cat "$work/$1.pid")
  echo "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")"
}
read -r ours_rss ours_pss <<<"$(mem ours)"
read -r debian_rss debian_pss <<<"$(mem debian)"
read -r busybox_rss busybox_pss <<<"$(mem busybox)"

# daemonbox's tcpserver as it runs in a service tree: under svscan and supervise, with a
# multilog logger, all one executable whose pages they share (svscan -1 stops the tree on TERM).
mkdir -p "$work/tree/tcp/log"
printf '#!/bin/sh\nexec tcpserver -HRl0 -c40 127.0.0.1 0 %s 2>&1\n' "$prog" >"$work/tree/tcp/run"
printf '#!/bin/sh\nexec multilog t ./main\n' >"$work/tree/tcp/log/run"
chmod +x "$work/tree/tcp/run" "$work/tree/tcp/log/run"
(cd "$work/tree" && PATH="$work/bin:$PATH" exec "$work/bin/svscan" -1 . >/dev/null 2>&1) &
pids+=($!)
for _ in $(seq 100); do
  tree_pid=$(pgrep -f "^tcpserver -HRl0 -c40 127.0.0.1 0 $prog" || true)
  [ -n "$tree_pid" ] && break
  sleep 0.05
done
[ -n "$tree_pid" ] || { echo "error: the service tree did not start" >&2; exit 1; }
sleep 0.5
tree_pss=$(awk '/^Pss:/ {print $2}' "/proc/$tree_pid/smaps_rollup")

echo "servers: $runs runs of $conns connections (32 in flight); program $prog; tcpsvd from $busybox"
for name in ours debian busybox; do
  port=$(cat "$work/$name.port"); pid=$(cat "$work/$name.pid")
  "$work/load" rate "$port" 200 >/dev/null   # warm-up
  : > "$work/$name.rates"; : > "$work/$name.cpu"
  for _ in $(seq "$runs"); do
    before=$(ticks "$pid")
    "$work/load" rate "$port" "$conns" >> "$work/$name.rates"
    after=$(ticks "$pid")
    echo $(( (after - before) * 1000000 / hz / conns )) >> "$work/$name.cpu"
  done
  median < "$work/$name.rates" > "$work/$name.rate"
  median < "$work/$name.cpu" > "$work/$name.cpum"
  for _ in $(seq "$runs"); do "$work/load" latency "$port" 200; done | median > "$work/$name.lat"
done
v() { cat "$work/$1.$2"; }
echo "accept-to-exec rate:   daemonbox $(v ours rate)/s | Debian tcpserver $(v debian rate)/s (daemonbox $(ratio "$(v ours rate)" "$(v debian rate)")x) | busybox tcpsvd $(v busybox rate)/s (daemonbox $(ratio "$(v ours rate)" "$(v busybox rate)")x)"
echo "CPU per connection:    daemonbox $(v ours cpum) us | Debian tcpserver $(v debian cpum) us ($(ratio "$(v debian cpum)" "$(v ours cpum)")x) | busybox tcpsvd $(v busybox cpum) us ($(ratio "$(v busybox cpum)" "$(v ours cpum)")x)"
echo "connect-to-first-byte: daemonbox $(v ours lat) us | Debian tcpserver $(v debian lat) us ($(ratio "$(v debian lat)" "$(v ours lat)")x) | busybox tcpsvd $(v busybox lat) us ($(ratio "$(v busybox lat)" "$(v ours lat)")x)"
echo "idle memory (RSS/Pss kB): daemonbox $ours_rss/$ours_pss | Debian tcpserver $debian_rss/$debian_pss | busybox tcpsvd $busybox_rss/$busybox_pss"
echo "idle memory in a service tree (svscan, supervise, multilog, tcpserver: one executable): daemonbox tcpserver Pss $tree_pss kB"

# cdb: 100,000 rules, built by each tcprules (the databases must be identical).
awk 'BEGIN { for (i = 0; i < 100000; i++)
  printf "%d.%d.%d.%d:allow,N=\"%d\"\n", 10 + i % 200, int(i / 200) % 256, int(i / 51200) % 256, i % 7, i }' > "$work/rules"
build_us() {
  local times=() start end
  for _ in $(seq "$runs"); do
    start=$(date +%s%N); "$1" "$work/$2.cdb" "$work/$2.tmp" < "$work/rules"; end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | median
}
b_o=$(build_us "$work/bin/tcprules" ours); b_d=$(build_us /usr/bin/tcprules debian)
cmp -s "$work/ours.cdb" "$work/debian.cdb" || { echo "error: the databases differ" >&2; exit 1; }
echo "tcprules, 100000 rules ($(stat -c %s "$work/ours.cdb") bytes, identical): daemonbox $b_o us | Debian $b_d us ($(ratio "$b_d" "$b_o")x)"
lookup_us() {
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
c_o=$(lookup_us "$work/bin/tcprulescheck"); c_d=$(lookup_us /usr/bin/tcprulescheck)
echo "tcprulescheck lookup (process included): daemonbox $c_o us | Debian $c_d us ($(ratio "$c_d" "$c_o")x)"
