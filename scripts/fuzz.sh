#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a
# bounded time (FUZZ_SECONDS, default 60) from the shipped scenarios, studies
# and the regression corpus. An input that crashes is copied into
# tests/fuzz/regressions/<kind>/ (commit it: the test suite replays it) and
# the script fails. Slow units (reported, not failures) are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
jobs="$(nproc)"

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DV3SIM_FUZZ=ON \
      -DV3SIM_BENCH=OFF -DV3SIM_PROBES=OFF > /dev/null
cmake --build build-fuzz -j "$jobs" --target scenario_fuzzer study_fuzzer

status=0
for kind in scenario study; do
  corpus="$(mktemp -d)"
  if [ "$kind" = scenario ]; then
    find scenarios -name '*.json' -not -path '*/studies/*' -exec cp --backup=numbered {} "$corpus"/ \;
  else
    cp scenarios/studies/*.json "$corpus"/
  fi
  cp tests/fuzz/regressions/"$kind"/* "$corpus"/
  artifacts="$(mktemp -d)"
  echo "== fuzzing ${kind} loading for ${seconds} s =="
  # The corpus directory grows with what the run finds; only crashes matter here.
  if ! build-fuzz/tests/"${kind}"_fuzzer "$corpus" -dict=tests/fuzz/json.dict -max_total_time="$seconds" \
       -timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts"/ \
       2>&1 | tail -n 25; then
    status=1
  fi
  for f in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
    [ -e "$f" ] || continue
    cp "$f" tests/fuzz/regressions/"$kind"/
    echo "fuzz: ${kind} input $(basename "$f") fails; copied to tests/fuzz/regressions/${kind}/ (commit it)"
    status=1
  done
  rm -rf "$corpus" "$artifacts"
done
exit "$status"
