#!/usr/bin/env bash
# svscan at scale, side by side with daemontools 0.76 (Debian) and s6-svscan, in one run.
#
#   scripts/bench-svscan.sh [IDLE_SECONDS [PART]]   (IDLE default 30; PART: all (default),
#                                                    scale, latency or shutdown; root needed
#                                                    for the PID-1 part)
#
# 1. N = 1,000 and 10,000 services (run = `exec sleep`, no logger): time until every service
#    runs, total Pss of the scanner plus every supervisor, CPU used by them over IDLE seconds
#    of idleness. Debian's svscan only at 1,000 (its table stops there); s6-svscan with
#    s6-supervise at both sizes.
# 2. Pick-up latency: median over several samples of "directory renamed into the scan
#    directory" -> "its supervisor runs".
# 3. Shutdown under PID 1 (unshare --pid): 100 services, each with a multilog logger and
#    1,000 lines written just before SIGTERM; time until svscan exits, lines on disk.
#
# Which supervise/multilog ours runs is printed: daemonbox's own when they are built in,
# otherwise Debian's from /usr/bin.
set -euo pipefail
IDLE=${1:-30}
PART=${2:-all}
want() { [ "$PART" = all ] || [ "$PART" = "$1" ]; }
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$root" && scripts/build-static.sh | tail -n 1)
bin="$root/$bin"
work=$(mktemp -d /tmp/bench-svscan.XXXXXX)
helper="$work/helper.py"

cat >"$helper" <<'EOF'
import os, sys, time, statistics, signal

def procs():
    out = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open(f'/proc/{d}/stat') as f:
                    s = f.read()
                rest = s.rsplit(')', 1)[1].split()
                out[int(d)] = (int(rest[1]), rest[0], int(rest[11]) + int(rest[12]))
            except (OSError, IndexError):
                pass
    return out

def tree(root):
    ps = procs()
    kids = {}
    for pid, (ppid, _, _) in ps.items():
        kids.setdefault(ppid, []).append(pid)
    seen, todo = [], [root]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen, ps

def cmd(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(errors='replace').strip()
    except OSError:
        return ''

def children(pid):
    try:
        with open(f'/proc/{pid}/task/{pid}/children') as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []

op = sys.argv[1]
if op == 'wait-up':          # scanner pid, count, marker -> seconds until COUNT runs exist
    scanner, count, marker = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    t0 = float(sys.argv[5])
    while True:
        pids, _ = tree(scanner)
        n = sum(1 for p in pids if cmd(p) == marker)
        if n >= count:
            print(f'{time.time() - t0:.2f}')
            break
        if time.time() - t0 > 300:
            print(f'timeout({n} up)')
            break
        time.sleep(0.05)
elif op == 'pss':            # scanner pid -> KiB of Pss: scanner + direct children, scanner
    scanner = int(sys.argv[2])
    def pss(p):
        try:
            with open(f'/proc/{p}/smaps_rollup') as f:
                return sum(int(l.split()[1]) for l in f if l.startswith('Pss:'))
        except OSError:
            return 0
    print(sum(pss(p) for p in [scanner] + children(scanner)), pss(scanner))
elif op == 'cpu':            # scanner pid -> clock ticks used by scanner + direct children
    scanner = int(sys.argv[2])
    ps = procs()
    print(sum(ps[p][2] for p in [scanner] + children(scanner) if p in ps))
elif op == 'latency':        # scanner pid, scan dir, stage dir, samples, supervisor name
    scanner, scan, stage, samples, sup = int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
    got = []
    for i in range(samples):
        name = f'lat{i}'
        src = os.path.join(stage, name)
        os.mkdir(src)
        with open(os.path.join(src, 'run'), 'w') as f:
            f.write('#!/bin/sh\nexec sleep 1000009\n')
        os.chmod(os.path.join(src, 'run'), 0o755)
        open(os.path.join(src, 'nosetsid'), 'w').close()
        time.sleep(0.3)
        t0 = time.time()
        os.rename(src, os.path.join(scan, name))
        want = f'{sup} {name}'
        while not any(cmd(c).endswith(want) for c in children(scanner)):
            if time.time() - t0 > 12:
                break
            time.sleep(0.001)
        got.append(time.time() - t0)
    print(f'{statistics.median(got) * 1000:.1f} ms (min {min(got) * 1000:.1f}, max {max(got) * 1000:.1f}, n={len(got)})')
elif op == 'gapless':        # scan dir -> total lines logged, services whose log has a gap
    base, total, gaps = sys.argv[2], 0, 0
    for svc in sorted(os.listdir(base)):
        logdir = os.path.join(base, svc, 'log', 'main')
        files = sorted(f for f in os.listdir(logdir) if f.startswith('@')) + ['current']
        lines = []
        for f in files:
            with open(os.path.join(logdir, f), 'rb') as fh:
                lines.extend(fh.read().split(b'\n')[:-1])
        total += len(lines)
        # multilog deletes its oldest files: the lines kept must follow on from the first.
        first = int(lines[0]) if lines else 1
        want = [str(i).encode() for i in range(first, first + len(lines))]
        # The last line may be cut where the writer was killed mid-line.
        if lines[:-1] != want[:-1] or (lines and not want[-1].startswith(lines[-1])):
            gaps += 1
    print(total, gaps)
elif op == 'kill':           # pid -> KILL the whole tree, by pid
    pids, _ = tree(int(sys.argv[2]))
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
EOF

cleanup() { [ -n "${scanner:-}" ] && python3 "$helper" kill "$scanner"; rm -rf "$work"; }
trap cleanup EXIT

# Our applet links; supervise/multilog: ours if built in, else Debian's.
mkdir -p "$work/ours" "$work/debian"
for a in svscan svc supervise multilog; do ln -s "$bin" "$work/ours/$a"; done
sup_note="daemonbox supervise"
built_in() { ! { "$work/ours/$1" </dev/null 2>&1 || true; } | grep -q "not built yet"; }
if ! built_in supervise; then
  ln -sf /usr/bin/supervise "$work/ours/supervise"; sup_note="Debian supervise (ours not built in yet)"
fi
log_note="daemonbox multilog"
if ! built_in multilog; then
  ln -sf /usr/bin/multilog "$work/ours/multilog"; log_note="Debian multilog (ours not built in yet)"
fi
for a in svscan supervise multilog; do ln -s "/usr/bin/$a" "$work/debian/$a"; done
ulimit -n "$(ulimit -Hn)"

make_tree() { # dir count
  mkdir -p "$1"
  for ((i = 0; i < $2; i++)); do
    mkdir "$1/s$i"
    printf '#!/bin/sh\nexec sleep 1000001\n' >"$1/s$i/run"
    chmod +x "$1/s$i/run"
    : >"$1/s$i/nosetsid"   # s6-supervise: keep the service in our process group
  done
}

scale() { # label count pathdir cmd...
  local label=$1 count=$2 path=$3; shift 3
  local dir="$work/tree-$label-$count"
  make_tree "$dir" "$count"
  local t0; t0=$(date +%s.%N)
  (cd "$dir" && PATH="$path:/usr/bin:/bin" exec setsid "$@" >/dev/null 2>"$work/err-$label-$count") &
  scanner=$!
  local up; up=$(python3 "$helper" wait-up "$scanner" "$count" "sleep 1000001" "$t0")
  sleep 2
  local pss own; read -r pss own < <(python3 "$helper" pss "$scanner")
  local c0 c1; c0=$(python3 "$helper" cpu "$scanner"); sleep "$IDLE"; c1=$(python3 "$helper" cpu "$scanner")
  local idle_ms=$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))
  printf '%-26s %6d  up %7ss  Pss %8d KiB (%4d KiB/service, scanner %6d KiB)  CPU over %ss idle: %5d ms\n' \
    "$label" "$count" "$up" "$pss" $((pss / count)) "$own" "$IDLE" "$idle_ms"
  python3 "$helper" kill "$scanner"; { wait "$scanner" || true; } 2>/dev/null; scanner=
  rm -rf "$dir"
}

echo "# ours runs: $sup_note; $log_note"
echo "# binary: $bin ($(stat -c %s "$bin") bytes); $(nproc) cores; IDLE=${IDLE}s"
if want scale; then
  echo "## scale"
  scale "daemonbox svscan" 1000 "$work/ours" "$work/ours/svscan" .
  scale "daemontools 0.76 svscan" 1000 "$work/debian" /usr/bin/svscan .
  scale "s6-svscan + s6-supervise" 1000 /usr/bin s6-svscan -c 30000 .
  scale "daemonbox svscan" 10000 "$work/ours" "$work/ours/svscan" .
  scale "s6-svscan + s6-supervise" 10000 /usr/bin s6-svscan -c 30000 .
fi

latency() { # label path samples sup cmd...
  local label=$1 path=$2 samples=$3 sup=$4; shift 4
  local dir="$work/lat-$label" stage="$work/stage-$label"
  mkdir -p "$dir" "$stage"
  (cd "$dir" && PATH="$path:/usr/bin:/bin" exec setsid "$@" >/dev/null 2>/dev/null) &
  scanner=$!
  sleep 0.5
  printf '%-28s pick-up median %s\n' "$label" \
    "$(python3 "$helper" latency "$scanner" "$dir" "$stage" "$samples" "$sup")"
  python3 "$helper" kill "$scanner"; { wait "$scanner" || true; } 2>/dev/null; scanner=
}
if want latency; then
  echo "## pick-up latency (rename into the scan directory -> supervisor running)"
  latency "daemonbox svscan" "$work/ours" 20 supervise "$work/ours/svscan" .
  latency "daemontools 0.76 svscan" "$work/debian" 8 supervise /usr/bin/svscan .
  latency "s6-svscan -t 5000" /usr/bin 8 s6-supervise s6-svscan -t 5000 .
fi
want shutdown || exit 0

echo "## shutdown under PID 1: 100 services writing numbered lines as fast as their multilog"
echo "## takes them, SIGTERM after 1.5 s; every line written before the signal must be on disk"
if [ "$(id -u)" != 0 ]; then echo "skipped: needs root for unshare --pid"; exit 0; fi
dir="$work/shut"
mkdir -p "$dir"
for ((i = 0; i < 100; i++)); do
  mkdir -p "$dir/s$i/log"
  printf '#!/bin/sh\nexec seq 1 100000000\n' >"$dir/s$i/run"
  printf '#!/bin/sh\nexec multilog s16777215 ./main\n' >"$dir/s$i/log/run"
  chmod +x "$dir/s$i/run" "$dir/s$i/log/run"
done
(PATH="$work/ours:/usr/bin:/bin" exec unshare --pid --fork --mount-proc "$work/ours/svscan" "$dir" 2>"$work/err-shut") &
ns=$!
scanner=$ns
sleep 1.5
inner=$(cat "/proc/$ns/task/$ns/children")
t0=$(date +%s%N)
kill -TERM "$inner"
status=0; wait "$ns" || status=$?
t1=$(date +%s%N)
scanner=
read -r lines gaps < <(python3 "$helper" gapless "$dir")
printf 'daemonbox svscan as PID 1: exit %d after %d ms; %d lines on disk, services with a lost line: %d of 100\n' \
  "$status" $(( (t1 - t0) / 1000000 )) "$lines" "$gaps"
