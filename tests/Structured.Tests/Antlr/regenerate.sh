#!/usr/bin/env bash
# Regenerates the ANTLR reference parsers the agreement tests compare against (checked in, so neither Java nor the
# ANTLR tool is a build dependency). Needs java 17 and npm: the ANTLR 4.13 tool jar comes from the antlr4ng-cli
# npm package.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack antlr4ng-cli@2.0.0 > /dev/null && tar xzf antlr4ng-cli-*.tgz)
jar=$(find "$tmp/package" -name 'antlr4-*-complete.jar' | head -1)
for g in Expr Json Config; do
  out="$root/tests/Structured.Tests/Antlr/Generated/$g"
  rm -rf "$out"
  (cd "$root/grammars" && java -jar "$jar" -Dlanguage=CSharp -no-visitor -no-listener -package Structured.Tests.Antlr.Generated -o "$out" -Xexact-output-dir "$g.g4")
  find "$out" \( -name '*.interp' -o -name '*.tokens' \) -delete
done
