#!/usr/bin/env bash
# Time from `dotnet new console` plus a package reference to a first typed result, on a fresh clone.
# Usage: tests/Structured.Benchmarks/first-typed-result.sh [REPO]   (REPO defaults to this repository)
# Stage 1 packs the library from a fresh clone into a local feed (what a release would publish); stage 2 is what a
# user does: a new console app, one package reference, eight lines of code, dotnet run.
set -euo pipefail
repo=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

t0=$(date +%s.%N)
git clone -q "$repo" "$work/clone"
dotnet pack "$work/clone/src/Structured.Torch" -c Release -o "$work/feed" -p:Version=0.1.0-local > "$work/pack.log"
dotnet pack "$work/clone/src/Structured" -c Release -o "$work/feed" -p:Version=0.1.0-local >> "$work/pack.log"
t1=$(date +%s.%N)

mkdir "$work/app" && cd "$work/app"
dotnet new console -n FirstResult -o . > /dev/null
dotnet add package Structured.Torch --version 0.1.0-local --source "$work/feed" > "$work/add.log"
cat > Program.cs <<'CS'
using Structured;
using Structured.Torch;

using var model = DefaultModel.Load();
var person = await model.GenerateAsync<Person>("Return a JSON object for a person.", new GenerationOptions { Seed = 1 });
Console.WriteLine(person.Value);

public sealed record Person(string Name, int Age);
CS
dotnet run
t2=$(date +%s.%N)
printf '{"pack_from_fresh_clone_s": %.1f, "new_console_to_first_typed_result_s": %.1f}\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
