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
# Each entry: the output folder, then the grammar files (a split grammar lists its lexer first, for tokenVocab).
for entry in "Expr Expr.g4" "Json Json.g4" "Config Config.g4" "Template TemplateLexer.g4 TemplateParser.g4"; do
  set -- $entry
  out="$root/tests/Structured.Tests/Antlr/Generated/$1"
  shift
  rm -rf "$out"
  mkdir -p "$out"
  for file in "$@"; do
    (cd "$root/grammars" && java -jar "$jar" -Dlanguage=CSharp -no-visitor -no-listener -package Structured.Tests.Antlr.Generated -o "$out" -lib "$out" -Xexact-output-dir "$file")
  done
  find "$out" \( -name '*.interp' -o -name '*.tokens' \) -delete
done
