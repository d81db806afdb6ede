#!/usr/bin/env bash
# Installs the Debian packages v3sim builds with, only those missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) for apt.
set -euo pipefail

packages=(
  cmake g++ make
  libboost-graph-dev libeigen3-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libbenchmark-dev zlib1g-dev
  libprotobuf-dev protobuf-compiler
  libopenmpi-dev openmpi-bin
  clang libclang-rt-dev
  chromium  # the headless-browser check of the HTML pages (tests/cli/html_browser_test.cpp)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
