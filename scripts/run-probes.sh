#!/usr/bin/env bash
# Runs the CUDA calibration probes (cuda_probes/) on GPU 0 of this machine and
# writes calibration/measured/<device>-<YYYY-MM-DD>/{hbm,gemm,alltoall,interference}.json,
# the input of `v3sim calibrate`.
#
#   scripts/run-probes.sh [--quick] [--repeats N] [--warmup N]
#
# Options go to every probe. The probes build on their own (CUDA Toolkit only,
# none of the simulator's dependencies) in build-cuda-probes/, configured as
# Release on first use. Without a GPU the first probe says so and this script
# exits 3. With two GPUs or more, the alltoall probe also measures GPU 1 as a
# peer. The full suite takes a few minutes on an H100.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${V3SIM_PROBES_BUILD_DIR:-build-cuda-probes}"

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S cuda_probes -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" -j "$(nproc)"

date="$(date -u +%F)"
staging="$build/incoming-$$"  # outside calibration/: nothing lands there without a GPU
mkdir -p "$staging"
trap 'rm -rf "$staging"' EXIT

# The HBM probe runs first: it is short, it finds out whether there is a GPU,
# and its file names the device for the directory.
status=0
"$build/v3sim_probe_hbm" --out "$staging/hbm.json" "$@" || status=$?
if [ "$status" -eq 3 ]; then
  echo "run-probes: no usable NVIDIA GPU here (see the line above); nothing written" >&2
  exit 3
elif [ "$status" -ne 0 ]; then
  echo "run-probes: v3sim_probe_hbm failed (exit $status)" >&2
  exit "$status"
fi

name="$(sed -n 's/^ *"device": {"name": "\([^"]*\)".*/\1/p' "$staging/hbm.json" | head -n 1)"
slug="$(printf '%s' "${name:-gpu}" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9]\{1,\}/-/g; s/^-//; s/-$//')"
out="calibration/measured/${slug}-${date}"
mkdir -p "$out"
mv "$staging/hbm.json" "$out/hbm.json"

for probe in gemm alltoall interference; do
  "$build/v3sim_probe_$probe" --out "$out/$probe.json" "$@"
done

echo "run-probes: wrote $out/{hbm,gemm,alltoall,interference}.json"
echo "run-probes: next: build/cli/v3sim calibrate --inputs $out/*.json --out calibration/profiles/${slug}-measured.json --name ${slug}-measured"
