#!/usr/bin/env bash
# Side-by-side mask benchmark against XGrammar (WebAssembly build, ../shared/tools/peer-xgrammar), in one run,
# alternating the two engines on the same token trajectories, and printing the ratios.
#
#   tests/Structured.Benchmarks/compare-with-xgrammar.sh [PEER_DIR] [ROUNDS]
#
# Both engines compile the sample's JSON Schemas and replay the peer's sample trajectories (both vocabularies).
# With GRAMMARS=1 they also run a generic JSON grammar on the same trajectories: XGrammar its builtin JSON grammar,
# Structured grammars/json.gbnf and grammars/json.lark (the comparison from before the schema compiler existed).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
peer_src=${1:-$root/../shared/tools/peer-xgrammar}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r "$peer_src" "$work/peer" && chmod -R u+w "$work/peer"
(cd "$work/peer" && npm ci --silent >/dev/null 2>&1 && npm run vocab --silent >/dev/null 2>&1)
dotnet build -c Release "$root/src/Structured.Cli" >/dev/null
cli="dotnet $root/src/Structured.Cli/bin/Release/net10.0/Structured.Cli.dll"

for enc in o200k_base cl100k_base; do
  traj="$work/peer/sample/trajectories/trajectories.$enc.jsonl"
  for r in $(seq 1 "$rounds"); do
    $cli bench masks --tokenizer "${enc%_base}" --trajectories "$traj" "$work/peer/sample" | tail -1 \
      | sed "s/^/{\"engine\":\"structured-schema\",\"round\":$r,\"line\":/; s/$/}/" >> "$work/results.jsonl"
    (cd "$work/peer" && node --expose-gc bench.js --vocab "vocab/$enc.tiktoken" --trajectories "$traj" --repeat 5 sample/ 2>/dev/null) \
      | tail -1 | sed "s/^/{\"engine\":\"xgrammar-schema\",\"round\":$r,\"line\":/; s/$/}/" >> "$work/results.jsonl"
    [ "${GRAMMARS:-0}" = 1 ] || continue
    for g in json.gbnf json.lark; do
      $cli bench masks --tokenizer "${enc%_base}" --trajectories "$traj" --grammar "$root/grammars/$g" | tail -1 \
        | sed "s/^/{\"engine\":\"structured-$g\",\"round\":$r,\"line\":/; s/$/}/" >> "$work/results.jsonl"
    done
    (cd "$work/peer" && node --expose-gc bench.js --vocab "vocab/$enc.tiktoken" --grammar builtin-json \
        --trajectories "$traj" --repeat 5 sample/ 2>/dev/null) | tail -1 \
      | sed "s/^/{\"engine\":\"xgrammar-builtin-json\",\"round\":$r,\"line\":/; s/$/}/" >> "$work/results.jsonl"
  done
done

python3 - "$work/results.jsonl" <<'PY'
import json, sys, statistics, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rows:
    line = r["line"]
    by[(line["vocab"].replace("_base", ""), r["engine"])].append(line)
    # Structured's first pass over each trajectory, before its lazily built tables and classes are warm.
    if r["engine"] == "structured-schema" and "mask_us_first_pass" in line:
        by[(line["vocab"].replace("_base", ""), "structured-schema-first-pass")].append(line | {"mask_us": line["mask_us_first_pass"]})
print("| vocab | engine | runs | mask µs mean | p50 | p99 | max | compile ms (median) | passed |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
summary = {}
for (vocab, engine), lines in sorted(by.items()):
    med = lambda key: statistics.median(l["mask_us"][key] for l in lines)
    comp = statistics.median(l["builtin_json_compile_ms"] if engine == "xgrammar-builtin-json" else l["compile_ms"]["median"] for l in lines)
    summary[(vocab, engine)] = {k: med(k) for k in ("mean", "median", "p99", "max")} | {"compile": comp}
    print(f"| {vocab} | {engine} | {len(lines)} | {med('mean')} | {med('median')} | {med('p99')} | {med('max')} | {comp} | {lines[0]['passed']}/{lines[0]['cases']} |")
print()
print("| vocab | Structured input | mean ratio (XGrammar / Structured) | p50 ratio | p99 ratio | max ratio | compile ratio |")
print("|---|---|---:|---:|---:|---:|---:|")
for (vocab, engine), s in sorted(summary.items()):
    if not engine.startswith("structured"): continue
    x = summary[(vocab, "xgrammar-schema" if engine.startswith("structured-schema") else "xgrammar-builtin-json")]
    print(f"| {vocab} | {engine.split('-', 1)[1]} | {x['mean']/s['mean']:.2f} | {x['median']/s['median']:.2f} | {x['p99']/s['p99']:.2f} | {x['max']/s['max']:.2f} | {x['compile']/s['compile']:.0f} |")
PY
