#!/usr/bin/env bash
# Runs every Go fuzz target of the module, one after another, each for FUZZTIME, and prints a summary table.
#
#   hack/fuzz.sh [FUZZTIME] [TARGET...]     FUZZTIME: a Go duration or Nx (default 10m); TARGET: a FuzzXxx name
#                                           (default: every target found)
#   hack/fuzz.sh --list                     prints "<package> <target>" for every target, and runs nothing
#   make fuzz FUZZTIME=2m
#
# Targets are found with `go list` (the test files that the current build constraints select) and a grep for
# `func FuzzXxx(f *testing.F)`. Each runs alone, at -parallel 1 (FUZZ_PARALLEL to change it), since fuzz workers
# use a whole core each. FUZZ_MINIMIZETIME (e.g. 5s) caps the minimization of each new interesting input: go's
# default, 60s, counts no execs and can take most of a short run.
# New interesting inputs go to the Go build cache ($(go env GOCACHE)/fuzz), not the repo; a failing input is
# written to the package's testdata/fuzz/FuzzXxx/ and replays in every later `go test`: keep it (commit it with
# the fix). Full logs: $FUZZ_LOG_DIR (default: a new temporary folder, printed at the end).
# Exit status: 0 if every target passed, 1 if any failed, 2 on a usage error or when no target matches.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO="${GO:-go}"
list=false
if [[ "${1:-}" == "--list" ]]; then
  list=true
  shift
fi
fuzztime="${1:-10m}"
[[ $# -gt 0 ]] && shift
parallel="${FUZZ_PARALLEL:-1}"
if [[ "$fuzztime" == -* ]]; then
  echo "usage: hack/fuzz.sh [--list | FUZZTIME [TARGET...]]" >&2
  exit 2
fi

# Every "<package dir relative to the module> <FuzzName>" pair.
targets=()
while IFS='|' read -r dir files; do
  [[ -n "${files// /}" ]] || continue
  rel="./${dir#"$PWD"/}"
  [[ "$dir" == "$PWD" ]] && rel="."
  for f in $files; do
    while read -r name; do
      targets+=("$rel $name")
    done < <(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\).*/\1/p' "$dir/$f")
  done
done < <("$GO" list -f '{{.Dir}}|{{join .TestGoFiles " "}} {{join .XTestGoFiles " "}}' ./...)

if [[ $# -gt 0 ]]; then
  wanted=" $* "
  selected=()
  for t in "${targets[@]}"; do
    [[ "$wanted" == *" ${t#* } "* ]] && selected+=("$t")
  done
  for w in "$@"; do
    found=false
    for t in "${selected[@]}"; do [[ "${t#* }" == "$w" ]] && found=true; done
    $found || { echo "fuzz: no fuzz target named $w" >&2; exit 2; }
  done
  targets=("${selected[@]}")
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 2
fi
if $list; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
logdir="${FUZZ_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/irsa-guard-fuzz.XXXXXX")}"
mkdir -p "$logdir"

# seconds converts a Go duration as the fuzz log prints it (1h2m3s, 10m0s, 1.5s) to whole seconds.
seconds() {
  awk -v d="$1" 'BEGIN {
    s = 0
    while (match(d, /^[0-9.]+(h|ms|m|s)/)) {
      part = substr(d, 1, RLENGTH); d = substr(d, RLENGTH + 1)
      unit = part; sub(/^[0-9.]+/, "", unit); n = part + 0
      if (unit == "h") s += n * 3600
      else if (unit == "m") s += n * 60
      else if (unit == "s") s += n
      else s += n / 1000
    }
    printf "%d", s
  }'
}

rows=()
failed=0
echo "fuzz: ${#targets[@]} target(s), $fuzztime each, -parallel $parallel, logs in $logdir"
for t in "${targets[@]}"; do
  pkg="${t% *}"
  name="${t#* }"
  log="$logdir/$name.log"
  cmd=("$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel "$parallel")
  [[ -n "${FUZZ_MINIMIZETIME:-}" ]] && cmd+=(-fuzzminimizetime "$FUZZ_MINIMIZETIME")
  cmd+=("$pkg/")
  echo
  echo "=== $pkg $name ($fuzztime) ==="
  echo "\$ ${cmd[*]}"
  started=$(date +%s)
  set +e
  "${cmd[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  wall=$(($(date +%s) - started))

  # The last progress line: "fuzz: elapsed: 10m0s, execs: 123456 (205/sec), new interesting: 7 (total: 61)".
  stats="$(grep -E '^fuzz: elapsed: [^,]+, execs: [0-9]+' "$log" | tail -n 1 || true)"
  elapsed=- execs=- rate=- newi=- total=-
  if [[ -n "$stats" ]]; then
    elapsed="$(sed -E 's/^fuzz: elapsed: ([^,]+),.*/\1/' <<<"$stats")"
    execs="$(sed -E 's/.*execs: ([0-9]+).*/\1/' <<<"$stats")"
    if [[ "$stats" == *"new interesting:"* ]]; then
      newi="$(sed -E 's/.*new interesting: ([0-9]+).*/\1/' <<<"$stats")"
      total="$(sed -E 's/.*\(total: ([0-9]+)\).*/\1/' <<<"$stats")"
    fi
    secs="$(seconds "$elapsed")"
    ((secs > 0)) && rate=$((execs / secs))
  fi
  if [[ $rc -eq 0 ]] && grep -qE '^(ok|PASS)' "$log"; then
    result=PASS
  else
    result=FAIL
    failed=1
  fi
  rows+=("$name|$pkg|$elapsed|$execs|$rate|$newi|$total|$result|$wall")

  if [[ $result == FAIL ]]; then
    echo "fuzz: $name FAILED (exit status $rc); log: $log" >&2
    # The input and the command that replays it, so that the failure can be read without the log.
    while read -r input; do
      [[ -f "$pkg/$input" ]] || continue
      echo "--- $pkg/$input" >&2
      cat "$pkg/$input" >&2
      echo "replay: $GO test -run '^${name}/${input##*/}\$' -v $pkg/" >&2
    done < <(sed -nE 's/.*Failing input written to (testdata\/fuzz\/[^ ]+).*/\1/p' "$log")
  fi
done

echo
echo "fuzz summary (fuzz time: the fuzzer's own elapsed time; execs/s: execs over that time; wall: the whole go test)"
printf '%-22s %-20s %9s %12s %8s %8s %8s %-6s %6s\n' TARGET PACKAGE ELAPSED EXECS EXECS/S NEW CORPUS RESULT WALL
for r in "${rows[@]}"; do
  IFS='|' read -r name pkg elapsed execs rate newi total result wall <<<"$r"
  printf '%-22s %-20s %9s %12s %8s %8s %8s %-6s %5ss\n' \
    "$name" "$pkg" "$elapsed" "$execs" "$rate" "$newi" "$total" "$result" "$wall"
done
echo "new interesting inputs are kept in $("$GO" env GOCACHE)/fuzz; logs in $logdir"
exit "$failed"
