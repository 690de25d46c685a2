#!/usr/bin/env bash
# Every test: type-check, unit and parity tests (Node: cpu, wasm, webgpu through Dawn), the studio in Chromium,
# then exported deltas loaded by Python's peft and adapters. Ends with one line "N passed, N failed" over all three.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-chromium.sh || exit 1
[ -d node_modules ] || npm ci --no-audit --no-fund || exit 1

report=.cache/test-report
rm -rf "$report" && mkdir -p "$report"
status=0

echo "== type-check"
npm run --silent typecheck || status=1

echo "== unit and parity tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report/vitest.json" || status=1

echo "== studio in Chromium (playwright)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$report/playwright.json" npx playwright test --reporter=list,json || status=1

echo "== delta files in Python: peft and AdapterHub load what Tabtune exports (interop)"
bash scripts/interop/run.sh 2>&1 | tee "$report/interop.log" || status=1

node scripts/test-summary.mjs "$report" || status=1
exit $status
