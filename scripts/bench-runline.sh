#!/usr/bin/env bash
# Cost of starting a service through a `#!` run script that execs its program (here
# `true`): daemonbox's static runline against the shell that run scripts usually need
# (/bin/sh, dash on Debian) and s6's execline (`execlineb -P`), in one hyperfine session.
# Usage: scripts/bench-runline.sh [RUNS]   (default 2000). Prints the median per script and
# the ratio to /bin/sh. Run it alone: flock /tmp/daemonbox-bench.lock scripts/bench-runline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2000}

for tool in hyperfine jq /bin/sh /usr/bin/execlineb; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing" >&2; exit 1; }
done
bin=$(scripts/build-static.sh | tail -n 1)
bin=$(realpath "$bin")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$bin" "$work/runline"
true=$(command -v true)
printf '#!%s\n# a comment, as run scripts have\n%s\n' "$work/runline" "$true" >"$work/runline-run"
printf '#!/bin/sh\n# a comment, as run scripts have\nexec %s\n' "$true" >"$work/sh-run"
printf '#!/usr/bin/execlineb -P\n# a comment, as run scripts have\n%s\n' "$true" >"$work/execlineb-run"
names=(runline sh execlineb)
for name in "${names[@]}"; do
  chmod +x "$work/$name-run"
  "$work/$name-run" || { echo "error: the $name script failed" >&2; exit 1; }
done

args=()
for name in "${names[@]}"; do args+=(-n "$name" "$work/$name-run"); done
hyperfine -N --style none --warmup 200 --runs "$runs" --export-json "$work/result.json" \
  "${args[@]}" >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }

echo "#! run script that execs true, $runs runs each, median wall time:"
jq -r '.results[] | "\(.command) \(.median)"' "$work/result.json" |
  awk '{ name[NR] = $1; med[NR] = $2 } $1 == "sh" { ref = $2 }
       END { for (i = 1; i <= NR; i++)
               printf "  %-10s %8.1f us   ratio to /bin/sh %.2f\n",
                      name[i], med[i] * 1e6, med[i] / ref }'
