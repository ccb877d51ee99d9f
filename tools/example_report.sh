#!/usr/bin/env bash
# Regenerate the example report under docs/example-report/ from a bundled scenario,
# and the copy of its ranking table in docs/REPORTS.md (and README.md, when it has the
# markers). Run it after changing anything that shows in a report:
#
#   tools/example_report.sh            # beale_lr_sweep and ill_conditioned (lr-find)
#
# steps.csv is left out of the committed copy (megabytes); everything else of the result
# folder is there: report.md, its charts, summary.csv and scenario.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="${1:-beale_lr_sweep}"
lr_scenario="${2:-ill_conditioned}"
out=docs/example-report
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cargo build --release --quiet
bin=target/release/optlab
"$bin" run "$scenario" --out "$tmp/run" --quiet
"$bin" lr-find "$lr_scenario" --out "$tmp/lr-find" > "$tmp/lr-find.txt"

rm -rf "$out"
mkdir -p "$out/lr-find"
for f in report.md summary.csv scenario.toml "$tmp"/run/*.svg; do
    cp "$tmp/run/$(basename "$f")" "$out/"
done
cp "$tmp"/lr-find/lr_find.svg "$tmp"/lr-find/lr_find_summary.csv "$out/lr-find/"
{
    echo '```text'
    echo "\$ optlab lr-find $lr_scenario"
    grep -v "results in" "$tmp/lr-find.txt"
    echo '```'
} > "$out/lr-find/output.md"

# The ranking table of the new report, between the markers of each document that has them.
table="$tmp/table.md"
awk '/^\| rank \|/ { on = 1 } on && !/^\|/ { exit } on { print }' "$out/report.md" > "$table"
for doc in docs/REPORTS.md README.md; do
    [ -f "$doc" ] && grep -q '<!-- example-table:start -->' "$doc" || continue
    awk -v table="$table" '
        /<!-- example-table:start -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
        /<!-- example-table:end -->/ { skip = 0 }
        !skip { print }
    ' "$doc" > "$tmp/doc" && cp "$tmp/doc" "$doc"
done
echo "example report written to $out/report.md"
