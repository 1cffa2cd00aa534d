#!/usr/bin/env bash
# The benchmark (README, "Performance"): builds the release Lambda packages with cargo-lambda, unpacks
# each package's binary, and runs tests/examples/bench against a moto it starts and the machine's
# PostgreSQL: package sizes, start-up and peak memory per function, rotation time for both
# strategies, and a lifecycle's transitions, invocations, cost and critical path.
#
#   bash scripts/bench.sh [--runs N] [--json FILE]
#
# Needs what `bash .ci/test` needs (moto in .local/venv, the workflow runner, PostgreSQL with the
# rotation tests' password authentication); installs cargo-lambda and zig into .local/venv.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
CBOR2_VERSION=6.3.0
# cargo-lambda 1.9.2 with PyPI's zig builds --x86-64 zips offline (no arm64 target on these machines).
CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.13.0.post1

if ! .local/venv/bin/python -c "import moto, cbor2" 2>/dev/null; then
  echo "==> installing moto[server] $MOTO_VERSION into .local/venv" >&2
  python3 -m venv .local/venv
  .local/venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" "cbor2==$CBOR2_VERSION"
fi
if [ ! -x .local/venv/bin/cargo-lambda ] || ! .local/venv/bin/python -c "import ziglang" 2>/dev/null; then
  echo "==> installing cargo-lambda $CARGO_LAMBDA_VERSION and zig into .local/venv" >&2
  .local/venv/bin/pip install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION" "ziglang==$ZIGLANG_VERSION"
fi
if [ ! -d tools/workflow/node_modules/aws-local-stepfunctions ]; then
  echo "==> installing the local workflow runner (npm ci in tools/workflow)" >&2
  (cd tools/workflow && npm ci --silent --no-audit --no-fund)
fi

target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
echo "==> building the release packages (cargo lambda build --release --output-format zip)" >&2
PATH="$PWD/.local/venv/bin:$PATH" cargo lambda build --release --output-format zip --x86-64 >&2

echo "==> unpacking each package's binary into .local/bench/bin" >&2
mkdir -p .local/bench/bin
for zip in "$target"/lambda/*/bootstrap.zip; do
  function=$(basename "$(dirname "$zip")")
  python3 - "$zip" ".local/bench/bin/$function" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as package, open(sys.argv[2], "wb") as binary:
    binary.write(package.read("bootstrap"))
os.chmod(sys.argv[2], 0o755)
PY
done

echo "==> running the benchmark" >&2
export MOTO_PYTHON="$PWD/.local/venv/bin/python"
FUNCTION_BINARIES="$PWD/.local/bench/bin" cargo run --quiet --example bench -- --packages "$target/lambda" "$@"
