#!/usr/bin/env bash
# Side-by-side mask benchmark against XGrammar (WebAssembly, ../shared/tools/peer-xgrammar) on MaskBench schemas:
# N schemas spread evenly over all subsets (each with its first valid instance), the same token trajectories for
# both engines, rounds alternating the engines. Prints both summaries and the XGrammar/Structured ratios.
#
#   tests/Structured.Benchmarks/compare-maskbench-with-xgrammar.sh [DATA_DIR] [N] [ROUNDS] [PEER_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${1:-$root/../shared/data}
count=${2:-240}
rounds=${3:-2}
peer_src=${4:-$root/../shared/tools/peer-xgrammar}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$data/jsonschemabench" "$work/cases" "$count" <<'PY'
import json, os, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out)
schemas, picks = {}, []
for f in sorted(os.listdir(os.path.join(src, "schemas"))):
    for line in open(os.path.join(src, "schemas", f), encoding="utf-8"):
        d = json.loads(line)
        schemas[d["id"]] = d["schema"]
    for line in open(os.path.join(src, "maskbench", f), encoding="utf-8"):
        d = json.loads(line)
        valid = [t["data"] for t in d["tests"] if t["valid"]]
        if valid: picks.append((d["id"], valid[0]))
step = max(1, len(picks) // n)
for i, (sid, inst) in enumerate(picks[::step][:n]):
    name = f"{i:04d}-" + sid.replace("/", "--").replace(" ", "_")[:80]
    json.dump(schemas[sid], open(os.path.join(out, name + ".schema.json"), "w", encoding="utf-8"), ensure_ascii=False)
    open(os.path.join(out, name + ".instance.json"), "w", encoding="utf-8").write(json.dumps(inst, ensure_ascii=False, separators=(",", ":")))
PY

cp -r "$peer_src" "$work/peer" && chmod -R u+w "$work/peer"
(cd "$work/peer" && npm ci --silent >/dev/null 2>&1 && npm run vocab --silent >/dev/null 2>&1)
dotnet build -c Release "$root/src/Structured.Cli" >/dev/null
cli="dotnet $root/src/Structured.Cli/bin/Release/net10.0/Structured.Cli.dll"

# The peer tokenizes the instances once and writes the trajectories both engines then replay.
(cd "$work/peer" && node --expose-gc bench.js --vocab vocab/o200k_base.tiktoken --no-strict --repeat 1 --compile-repeat 1 \
    --save-trajectories "$work/traj" --quiet "$work/cases" > /dev/null 2>&1) || true
traj="$work/traj/trajectories.o200k_base.jsonl"
for r in $(seq 1 "$rounds"); do
  $cli bench masks --tokenizer o200k --trajectories "$traj" "$work/cases" > "$work/structured.$r.jsonl"
  (cd "$work/peer" && node --expose-gc bench.js --vocab vocab/o200k_base.tiktoken --no-strict --trajectories "$traj" \
      --repeat 3 --quiet "$work/cases" 2>/dev/null) > "$work/xgrammar.$r.jsonl" || true
done

python3 - "$work" "$rounds" <<'PY'
import json, sys, statistics
work, rounds = sys.argv[1], int(sys.argv[2])
def load(engine):
    runs = []
    for r in range(1, rounds + 1):
        lines = [json.loads(l) for l in open(f"{work}/{engine}.{r}.jsonl") if l.strip().startswith("{")]
        runs.append(([l for l in lines if l.get("type") == "case"], [l for l in lines if l.get("type") == "summary"][-1]))
    return runs
def ok(case): return case.get("accepted") is True
for engine in ("structured", "xgrammar"):
    runs = load(engine)
    cases, summary = runs[0]
    print(f"{engine}: cases {len(cases)}, accepted {sum(ok(c) for c in cases)}, compile errors {sum(1 for c in cases if 'compile_error' in c or c.get('error'))}")
    for key in ("mean", "median", "p99", "max"):
        vals = [s["mask_us"][key] for _, s in runs]
        print(f"  mask_us {key}: {statistics.median(vals)}")
    cm = [s["compile_ms"]["median"] for _, s in runs if "compile_ms" in s]
    if cm: print(f"  compile_ms median: {statistics.median(cm)}")
# Per-case means over the cases both engines accepted, and the ratio of their totals.
s_cases = {c["case"]: c for c in load("structured")[0][0] if ok(c)}
x_cases = {c["case"]: c for c in load("xgrammar")[0][0] if ok(c)}
both = sorted(set(s_cases) & set(x_cases))
def total(cases, key): return sum(cases[c]["mask_us"][key] for c in both)
print(f"cases accepted by both: {len(both)}")
for key in ("mean", "p99", "max"):
    s, x = total(s_cases, key), total(x_cases, key)
    print(f"  sum of per-case mask_us {key}: structured {s:.1f}, xgrammar {x:.1f}, ratio xgrammar/structured {x / s:.2f}")
PY
