#!/usr/bin/env bash
# Installs Chrome DevTools' trace engine (npm @paulirish/trace_engine, pinned)
# into build/trace-engine, for the test that loads v3sim's traces with it
# (TraceOutput.ChromeTraceEngineLoadsIt). Not a Debian package: without npm
# or its registry the test skips, saying so, and the rest of the suite runs.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=build/trace-engine
version=0.0.65
if [ -f "$dir/node_modules/@paulirish/trace_engine/package.json" ] &&
   grep -q "\"version\": \"$version\"" "$dir/node_modules/@paulirish/trace_engine/package.json"; then
  echo "install-trace-engine: @paulirish/trace_engine $version present"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "install-trace-engine: no npm; the trace-engine test will skip"
  exit 0
fi
mkdir -p "$dir"
timeout 300 npm install --silent --no-audit --no-fund --prefix "$dir" "@paulirish/trace_engine@$version" ||
  echo "install-trace-engine: npm install failed; the trace-engine test will skip"
