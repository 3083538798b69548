#!/usr/bin/env bash
# On a GPU machine with PyTorch but no .NET: unpacks what tools/gpu/pack.sh made and runs COMMAND with the CLI and
# test builds at $CLI and $TESTS, libtorch (CUDA) taken from the machine's PyTorch.
# Usage: tools/gpu/run.sh 'COMMAND'   e.g. tools/gpu/run.sh 'dotnet $CLI bench model --schemas examples/schemas'
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${GPU_WORK:-/tmp/structured-gpu}
if [ ! -x "$work/dotnet/dotnet" ]; then
  mkdir -p "$work/dotnet" "$work/app"
  tar -xJf "$root/.gpu/dotnet.tar.xz" -C "$work/dotnet"
  tar -xJf "$root/.gpu/apps.tar.xz" -C "$work/app"
fi
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export STRUCTURED_LIBTORCH=${STRUCTURED_LIBTORCH:-$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
export CLI="$work/app/cli/Structured.Cli.dll" TESTS="$work/app/tests/Structured.Torch.Tests.dll" DATA="$work/app/data"
cd "$root"
bash -c "$1"
