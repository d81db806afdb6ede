#!/usr/bin/env bash
# Installs what is missing, builds v3sim and runs the main scenario: DualPipe
# in the DeepSeek paper figure's setting. Outputs land in out/dualpipe/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)" --target v3sim
./build/cli/v3sim run scenarios/abstract/dualpipe_8x20.json --out out/dualpipe
