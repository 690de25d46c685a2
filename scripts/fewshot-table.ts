/**
 * `npx tsx scripts/fewshot-table.ts <results.jsonl>...`: the few-shot table of BENCHMARKS.md from the JSON lines
 * `npm run fewshot -- ... --json` prints (one summary per line; lines with "failed" name a run that did not finish).
 * Rows are method variants (the method, + LiST with meta or uniform weights), columns are datasets at each K; a cell
 * is the accuracy's mean ± std over the seeds that finished, with their count. Seeds of one cell may come from
 * several runs (one per seed).
 */
import { readFileSync } from 'node:fs';

interface Summary {
  data: string;
  k: number;
  method: string;
  selfTrain: boolean;
  weighting: string | null;
  seeds: Array<{ seed: number; accuracy: number }>;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx scripts/fewshot-table.ts <results.jsonl>...');
  process.exit(2);
}
const runs: Summary[] = [];
const failed: string[] = [];
for (const file of files) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Summary | { failed: string };
    if ('failed' in row) failed.push(row.failed);
    else runs.push(row);
  }
}

const dataset = (r: Summary) => r.data.replace(/\/+$/, '').split('/').pop() ?? r.data;
const variant = (r: Summary) => (r.selfTrain ? `${r.method} + LiST (${r.weighting} weights)` : r.method);
const column = (r: Summary) => `${dataset(r)} K=${r.k}`;

/** accuracy per seed, keyed by variant then column; a seed measured twice keeps its last value. */
const cells = new Map<string, Map<string, Map<number, number>>>();
for (const r of runs) {
  const byColumn = cells.get(variant(r)) ?? new Map<string, Map<number, number>>();
  cells.set(variant(r), byColumn);
  const bySeed = byColumn.get(column(r)) ?? new Map<number, number>();
  byColumn.set(column(r), bySeed);
  for (const s of r.seeds) bySeed.set(s.seed, s.accuracy);
}
const columns = [...new Set(runs.map(column))].sort();
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
};
const pct = (x: number) => (100 * x).toFixed(1);

console.log(`| variant | ${columns.join(' | ')} |`);
console.log(`|---|${columns.map(() => '---:').join('|')}|`);
for (const [name, byColumn] of [...cells].sort(([a], [b]) => a.localeCompare(b))) {
  const row = columns.map((c) => {
    const seeds = byColumn.get(c);
    if (!seeds || seeds.size === 0) return '–';
    const { mean, std } = stats([...seeds.values()]);
    return `${pct(mean)} ± ${pct(std)} (${seeds.size})`;
  });
  console.log(`| ${name} | ${row.join(' | ')} |`);
}
if (failed.length > 0) {
  console.log(`\nDid not finish (${failed.length}):`);
  for (const f of failed) console.log(`- \`${f}\``);
}
