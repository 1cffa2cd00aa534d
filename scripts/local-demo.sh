#!/usr/bin/env bash
# A whole environment lifecycle on this machine, no AWS account: installs what it needs into the
# project's ignored .local/ (moto in a virtualenv) and tools/workflow/node_modules (the local Step
# Functions runner), builds the function binaries and envctl, then provisions an environment against
# a moto it starts, prints its outputs, and tears it down again (`envctl local demo`).
#
#   bash scripts/local-demo.sh [--suffix NAME] [--spec FILE]
#
# Needs Rust, Python 3 and Node.js 20+.
set -euo pipefail
cd "$(dirname "$0")/.."

# The same versions the tests use (.ci/test).
MOTO_VERSION=5.2.5
CBOR2_VERSION=6.3.0

if ! .local/venv/bin/python -c "import moto, cbor2" 2>/dev/null; then
  echo "==> installing moto[server] $MOTO_VERSION into .local/venv" >&2
  python3 -m venv .local/venv
  .local/venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" "cbor2==$CBOR2_VERSION"
fi
if [ ! -d tools/workflow/node_modules/aws-local-stepfunctions ]; then
  echo "==> installing the local workflow runner (npm ci in tools/workflow)" >&2
  (cd tools/workflow && npm ci --silent --no-audit --no-fund)
fi
echo "==> building the function binaries and envctl" >&2
cargo build --workspace --bins --quiet
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
exec "$target/debug/envctl" local demo --functions "$target/debug" "$@"
