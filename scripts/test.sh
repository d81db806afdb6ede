#!/usr/bin/env bash
# Installs what is missing, builds v3sim twice (release, then with
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs the test suite in
# each, and fuzzes scenario and study loading for a minute each
# (scripts/fuzz.sh). Ends with ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs="$(nproc)"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
scripts/install-trace-engine.sh

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DV3SIM_SANITIZE=ON -DV3SIM_BENCH=OFF
cmake --build build-asan -j "$jobs"
echo "== sanitizer build (ASan + UBSan) =="
(cd build-asan && ctest --output-on-failure -j "$jobs")

echo "== fuzzing (libFuzzer, clang, ASan + UBSan) =="
scripts/fuzz.sh

echo "== release build =="
(cd build && ctest --output-on-failure -j "$jobs")
