#!/usr/bin/env bash
# Installs what is missing, builds v3sim and runs the main scenario: one
# DeepSeek-V3 pre-training step on 2048 H800s with DualPipe. Outputs land in
# out/deepseek_v3/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)" --target v3sim
./build/cli/v3sim run scenarios/deepseek_v3_pretrain_2048xh800.json --out out/deepseek_v3
