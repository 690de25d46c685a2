// Sums vitest's and playwright's JSON reports and the interop run's verdict line into one closing line:
// "N passed, N failed, N skipped".
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0, failed = 0, skipped = 0;

const vitestFile = join(dir, 'vitest.json');
if (existsSync(vitestFile)) {
  const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += v.numPassedTests; failed += v.numFailedTests + (v.numRuntimeErrors ?? 0);
  skipped += v.numPendingTests + v.numTodoTests;
} else failed += 1;

const pwFile = join(dir, 'playwright.json');
if (existsSync(pwFile)) {
  const s = JSON.parse(readFileSync(pwFile, 'utf8')).stats;
  passed += s.expected + s.flaky; failed += s.unexpected; skipped += s.skipped;
} else failed += 1;

const interopFile = join(dir, 'interop.log');
const verdict = existsSync(interopFile) ? readFileSync(interopFile, 'utf8').match(/^interop: (\d+) passed, (\d+) failed/m) : null;
if (verdict) {
  passed += Number(verdict[1]); failed += Number(verdict[2]);
} else failed += 1;

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
