/**
 * `npx tsx scripts/fewshot-table.ts [--missing | --dev] <results.jsonl>...`
 *
 * Prints the few-shot table of BENCHMARKS.md from the runner's JSON lines, the goals judged below it, how
 * right the pseudo-labels were and where the meta step put its weight, and the job lines that did not finish;
 * with --missing, only the job lines of the runs the table still lacks; with --dev, the same table and goals over
 * the runs scored on a dev split (the runner's --dev) instead of the test set. The rules (rows, pairing, verdicts) are
 * in fewshotTable.ts.
 */
import { readFileSync } from 'node:fs';
import { allGoals, buildCells, columnsOf, finishedLater, formatCoverage, formatGoal, MIN_PAIRED_SEEDS, missingJobs, NOISE_STANDARD_ERRORS, parseResults, pseudoLabelSummaries, renderPseudoLabelTable, renderTable, tableCoverage, type Summary } from './fewshotTable';

const missingOnly = process.argv.includes('--missing');
const dev = process.argv.includes('--dev');
const files = process.argv.slice(2).filter((a) => a !== '--missing' && a !== '--dev');
if (files.length === 0) {
  console.error('usage: npx tsx scripts/fewshot-table.ts [--missing | --dev] <results.jsonl>...');
  process.exit(2);
}
const runs: Summary[] = [];
const failed: string[] = [];
for (const file of files) {
  const parsed = parseResults(readFileSync(file, 'utf8'), dev);
  runs.push(...parsed.runs);
  failed.push(...parsed.failed);
}
const cells = buildCells(runs);

if (missingOnly) {
  for (const job of missingJobs(cells)) console.log(job);
} else {
  const columns = columnsOf(runs);
  for (const line of renderTable(cells, columns)) console.log(line);
  if (!dev) console.log(`\n${formatCoverage(tableCoverage(cells))}`);
  console.log(`\nGoals (paired by dataset, K and seed; seeds in brackets; judged where all four datasets have at least ${MIN_PAIRED_SEEDS} paired seeds, and within noise where the mean is less than ${NOISE_STANDARD_ERRORS} standard errors, from seed to seed, from the goal):`);
  for (const goal of allGoals(runs, cells, columns)) console.log(formatGoal(goal));
  const pseudo = pseudoLabelSummaries(runs);
  if (pseudo.length > 0) {
    console.log('\nPseudo-labels (LiST runs that tallied them; % over every round of every seed):');
    for (const line of renderPseudoLabelTable(pseudo)) console.log(line);
  }
  const unfinished = failed.filter((f) => !finishedLater(cells, f));
  if (unfinished.length > 0) {
    console.log(`\nDid not finish (${unfinished.length}):`);
    for (const f of unfinished) console.log(`- \`${f}\``);
  }
}
