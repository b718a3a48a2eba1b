#!/usr/bin/env bash
# Cost of a typical chain-loading command line:
#   envdir E setuidgid ACCOUNT softlimit -o 100 true
# daemonbox's static binary against Debian's daemontools, with s6's equivalent chain and
# runit's one-process chpst for orientation. All run in one hyperfine session (no shell).
# Usage: scripts/bench-exec-chain.sh [RUNS]   (default 2000; ACCOUNT is nobody as root,
# else the current user). Prints the median per command and the ratio to daemontools.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2000}

for tool in hyperfine jq /usr/bin/envdir /usr/bin/setuidgid /usr/bin/softlimit; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing" >&2; exit 1; }
done
bin=$(scripts/build-static.sh | tail -n 1)
bin=$(realpath "$bin")

work=$(mktemp -d)
chmod 755 "$work"  # the switched account must reach the links
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/E"
for applet in envdir setuidgid softlimit; do ln -s "$bin" "$work/bin/$applet"; done
printf 'value\n' > "$work/E/VAR"
printf '\n' > "$work/E/EMPTY"
account=nobody
[ "$(id -u)" = 0 ] || account=$(id -un)

chain() { # prefix for envdir/setuidgid/softlimit
  echo "$1envdir $work/E $1setuidgid $account $1softlimit -o 100 true"
}
names=(daemonbox daemontools s6 runit-chpst)
cmds=(
  "$(chain "$work/bin/")"
  "$(chain /usr/bin/)"
  "s6-envdir $work/E s6-setuidgid $account s6-softlimit -o 100 true"
  "chpst -e $work/E -u $account -o 100 true"
)
# Every command must work before it is timed.
for c in "${cmds[@]}"; do $c || { echo "error: '$c' failed" >&2; exit 1; }; done

args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -N --style none --warmup 200 --runs "$runs" --export-json "$work/result.json" \
  "${args[@]}" >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }

echo "exec chain, $runs runs each, median wall time per command line:"
jq -r '.results[] | "\(.command) \(.median)"' "$work/result.json" |
  awk '{ name[NR] = $1; med[NR] = $2 } $1 == "daemontools" { ref = $2 }
       END { for (i = 1; i <= NR; i++)
               printf "  %-12s %8.1f us   ratio to daemontools %.2f\n",
                      name[i], med[i] * 1e6, med[i] / ref }'
