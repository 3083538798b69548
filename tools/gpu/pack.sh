#!/usr/bin/env bash
# Packs what a GPU machine without .NET needs to run the CLI and the TorchSharp tests, into .gpu/ (git-ignored):
# the .NET runtime, the Release builds without libtorch's CPU natives (the machine's own PyTorch supplies libtorch,
# through STRUCTURED_LIBTORCH), and the first lines of each MaskBench subset for `bench awrs`.
# Usage: tools/gpu/pack.sh [DATA_DIR]   (DATA_DIR: the folder with jsonschemabench/, e.g. ../shared/data)
# Then run tools/gpu/run.sh on the GPU machine from the repository root.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
out="$root/.gpu"
data=${1:-}
mkdir -p "$out"
grep -qx '/.gpu/' "$root/.git/info/exclude" 2>/dev/null || echo '/.gpu/' >> "$root/.git/info/exclude"

dotnet build -c Release "$root/src/Structured.Cli" -v q -nologo
dotnet build -c Release "$root/tests/Structured.Torch.Tests" -v q -nologo

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
for pair in "cli:src/Structured.Cli/bin/Release/net10.0" "tests:tests/Structured.Torch.Tests/bin/Release/net10.0"; do
  name=${pair%%:*}; dir="$root/${pair#*:}"
  mkdir -p "$stage/$name"
  (cd "$dir" && tar -cf - --exclude=./runtimes --exclude=./publish .) | tar -xf - -C "$stage/$name"
  mkdir -p "$stage/$name/runtimes/linux-x64/native"
  for f in "$dir"/runtimes/linux-x64/native/*; do
    case $(basename "$f") in libtorch*|libc10*|libgomp*|libshm*|libaoti*|lib*backend*|libjitbackend*|libnnapi*) ;; *) cp "$f" "$stage/$name/runtimes/linux-x64/native/" ;; esac
  done
done
if [ -n "$data" ]; then
  mkdir -p "$stage/data/jsonschemabench/maskbench" "$stage/data/jsonschemabench/schemas"
  for f in "$data"/jsonschemabench/maskbench/*.jsonl; do
    n=$(basename "$f")
    : > "$stage/data/jsonschemabench/maskbench/$n"
    [ -f "$data/jsonschemabench/schemas/$n" ] && head -n 20 "$data/jsonschemabench/schemas/$n" > "$stage/data/jsonschemabench/schemas/$n"
  done
fi
tar -cJf "$out/apps.tar.xz" -C "$stage" .

# The runtime changes only with the SDK: pack it once.
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
if [ ! -f "$out/dotnet.tar.xz" ]; then
  tar -cJf "$out/dotnet.tar.xz" -C "$dotnet_root" dotnet host shared
fi
du -sh "$out"/*
