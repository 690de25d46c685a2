/**
 * `npx tsx scripts/fewshot-table.ts <results.jsonl>...`: the few-shot table of BENCHMARKS.md from the JSON lines
 * `npm run fewshot -- ... --json` prints (one summary per line; lines with "failed" name a run that did not finish).
 * Rows are method variants (the method, + LiST with meta or uniform weights), columns are datasets at each K; a cell
 * is the accuracy's mean ± std over the seeds that finished, with their count. Seeds of one cell may come from
 * several runs (one per seed).
 *
 * LiST runs that kept a share of the labels aside (the runner's --eval-fraction; before that flag existed, 0.2) get
 * their own rows, marked with the share they trained on. A LiST run that reports its first teacher's test accuracy
 * (`firstTeacher`) also fills the row "<method> (LiST's first teacher)": that teacher is the method trained on the
 * same labels without self-training (its own seed streams, so it is not bit for bit the plain row).
 *
 * Below the table, the issue's two goals, each as a paired comparison (same dataset, K and seed on both sides, so
 * a seed missing on one side drops out of both): LiST (meta weights) against the same method without self-training,
 * averaged over the datasets (goal: +3 points); and meta against uniform weights (goal: > 0). A goal is judged only
 * where all four datasets have at least one paired seed. Where first teachers were reported, LiST is also set
 * against its own first teacher (the gain of the rounds alone).
 */
import { readFileSync } from 'node:fs';

interface Summary {
  data: string;
  k: number;
  method: string;
  selfTrain: boolean;
  weighting: string | null;
  seeds: Array<{ seed: number; accuracy: number; firstTeacher?: { accuracy: number } | null }>;
  config?: { fineTune?: { maxSteps?: number }; selfTrain?: { studentHead?: string; evalFraction?: number } };
}

/** Labelled steps of the table's runs without LiST (and of LiST's first teacher); other step counts get their own row. */
const TABLE_STEPS = 100;
/** The runner's --steps when the flag is absent. */
const RUNNER_DEFAULT_STEPS = 30;

/** How a LiST variant's name shows a student head other than the default ('initial'). */
const HEAD_SUFFIX: Record<string, string> = { initial: '', teacher: ", teacher's head", fresh: ', fresh head' };

const missingOnly = process.argv.includes('--missing');
const files = process.argv.slice(2).filter((a) => a !== '--missing');
if (files.length === 0) {
  console.error('usage: npx tsx scripts/fewshot-table.ts [--missing] <results.jsonl>...');
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
/** How a LiST variant's name shows that it trained on part of the labels (held-out share > 0). */
const labelsSuffix = (evalFraction: number) => (evalFraction > 0 ? `, ${Math.round(100 * (1 - evalFraction))} % of labels` : '');
/** The variant suffix of a LiST run: its student head, then the share of labels it trained on. */
const listSuffix = (r: Summary) =>
  `${HEAD_SUFFIX[r.config?.selfTrain?.studentHead ?? 'initial'] ?? ''}${labelsSuffix(r.config?.selfTrain?.evalFraction ?? 0)}`;
const firstTeacherRow = (method: string) => `${method} (LiST's first teacher)`;
const variant = (r: Summary) => {
  if (r.selfTrain) return `${r.method} + LiST (${r.weighting} weights${listSuffix(r)})`;
  const steps = r.config?.fineTune?.maxSteps ?? TABLE_STEPS;
  return steps === TABLE_STEPS ? r.method : `${r.method} (${steps} steps)`;
};
const column = (r: Summary) => `${dataset(r)} K=${r.k}`;

/** accuracy per seed, keyed by variant then column; a seed measured twice keeps its last value. */
const cells = new Map<string, Map<string, Map<number, number>>>();
for (const r of runs) {
  const byColumn = cells.get(variant(r)) ?? new Map<string, Map<number, number>>();
  cells.set(variant(r), byColumn);
  const bySeed = byColumn.get(column(r)) ?? new Map<number, number>();
  byColumn.set(column(r), bySeed);
  for (const s of r.seeds) bySeed.set(s.seed, s.accuracy);
  const teachers = r.seeds.filter((s) => s.firstTeacher);
  if (teachers.length === 0) continue;
  const name = firstTeacherRow(r.method) + labelsSuffix(r.config?.selfTrain?.evalFraction ?? 0);
  const teacherColumns = cells.get(name) ?? new Map<string, Map<number, number>>();
  cells.set(name, teacherColumns);
  const teacherSeeds = teacherColumns.get(column(r)) ?? new Map<number, number>();
  teacherColumns.set(column(r), teacherSeeds);
  for (const s of teachers) teacherSeeds.set(s.seed, s.firstTeacher!.accuracy);
}
const columns = [...new Set(runs.map(column))].sort((a, b) => {
  const [da, ka] = a.split(' K='), [db, kb] = b.split(' K=');
  return Number(ka) - Number(kb) || da.localeCompare(db);
});
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
};
const pct = (x: number) => (100 * x).toFixed(1);

/** The issue's table: every method at both K on the four datasets, 5 seeds, without LiST and with it (meta and uniform). */
const TABLE = { datasets: ['emotion', 'mpqa', 'sst2', 'subj'], ks: [16, 8], seeds: [1, 2, 3, 4, 5] };
/** The runner's flags shared by every run of the table (BENCHMARKS.md, "Settings"). */
const TABLE_FLAGS = '--steps 100 --lr 1e-3 --head prompt --backend wasm';
const LIST_FLAGS = '--unlabeled 2000 --rounds 3 --student-steps 30 --student-fine-tune 30 --per-round 256 --eval-fraction 0';

/**
 * With --missing, instead of the table: one job line ("<dataset> <runner flags>", as scripts/gpu/table.sh reads them)
 * per run the table still lacks, one seed each, K = 16 before K = 8 and LiST before the plain runs it costs most.
 * Head-only cells, which take seconds, are one line of all 5 seeds.
 */
function missingJobs(): string[] {
  const jobs: string[] = [];
  const has = (name: string, c: string, seed: number) => cells.get(name)?.get(c)?.has(seed) ?? false;
  for (const k of TABLE.ks) {
    for (const method of ['head', 'lora', 'bottleneck', 'prefix', 'ptuningV2', 'prompt', 'ptuning']) {
      for (const [name, flags] of [
        [`${method} + LiST (meta weights)`, `${LIST_FLAGS} --self-train --weighting meta`],
        [`${method} + LiST (uniform weights)`, `${LIST_FLAGS} --self-train --weighting uniform`],
        [method, ''],
      ]) {
        for (const data of TABLE.datasets) {
          const lacking = TABLE.seeds.filter((seed) => !has(name, `${data} K=${k}`, seed));
          const line = (seeds: number[]) => `${data} --k ${k} ${TABLE_FLAGS} ${flags} --method ${method} --seeds ${seeds.join(',')}`.replace(/ +/g, ' ');
          if (lacking.length === 0) continue;
          if (method === 'head') jobs.push(`${line(lacking)} --feature-cache /tmp/fc-${data}.bin`);
          else jobs.push(...lacking.map((seed) => line([seed])));
        }
      }
    }
  }
  return jobs;
}
if (missingOnly) {
  for (const job of missingJobs()) console.log(job);
  process.exit(0);
}

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
/** Mean over seeds present on both sides of (a - b), per column; columns with no common seed are left out. */
function pairedDiffs(a: string, b: string): Map<string, { diff: number; seeds: number }> {
  const out = new Map<string, { diff: number; seeds: number }>();
  for (const c of columns) {
    const sa = cells.get(a)?.get(c);
    const sb = cells.get(b)?.get(c);
    if (!sa || !sb) continue;
    const common = [...sa.keys()].filter((seed) => sb.has(seed));
    if (common.length === 0) continue;
    out.set(c, { diff: common.reduce((t, seed) => t + sa.get(seed)! - sb.get(seed)!, 0) / common.length, seeds: common.length });
  }
  return out;
}

/** One line per K: the paired difference per dataset, their mean, and the verdict against `goal` points. */
function goalLines(title: string, a: string, b: string, goal: number, strict: boolean): void {
  const diffs = pairedDiffs(a, b);
  if (diffs.size === 0) return;
  const ks = [...new Set([...diffs.keys()].map((c) => c.split(' K=')[1]))].sort((x, y) => Number(x) - Number(y));
  for (const k of ks) {
    const parts = [...diffs].filter(([c]) => c.endsWith(` K=${k}`));
    const mean = parts.reduce((t, [, d]) => t + d.diff, 0) / parts.length;
    const detail = parts.map(([c, d]) => `${c.split(' K=')[0]} ${d.diff >= 0 ? '+' : ''}${pct(d.diff)} (${d.seeds})`).join(', ');
    const judged = parts.length >= 4;
    const shown = Number(pct(mean)); // judged on the figure printed: +0.0 is a tie, not a win
    const met = strict ? shown > goal : shown >= goal;
    const verdict = judged ? (met ? 'met' : 'NOT met') : `not judged (${parts.length} of 4 datasets)`;
    console.log(`- ${title}, K=${k}: mean ${mean >= 0 ? '+' : ''}${pct(mean)} points over ${parts.length} datasets [${detail}]: goal ${verdict}.`);
  }
}

const methods = [...new Set(runs.map((r) => r.method))].sort();
console.log('\nGoals (paired by dataset, K and seed; seeds in brackets):');
const suffixes = [...new Set(runs.filter((r) => r.selfTrain).map(listSuffix))].sort();
for (const m of methods) {
  for (const suffix of suffixes) {
    goalLines(`${m} + LiST (meta${suffix}) − ${m}`, `${m} + LiST (meta weights${suffix})`, m, 3, false);
    goalLines(`${m} + LiST${suffix}: meta − uniform weights`, `${m} + LiST (meta weights${suffix})`, `${m} + LiST (uniform weights${suffix})`, 0, true);
    if (suffix.includes('% of labels')) continue;
    goalLines(`${m} + LiST (meta${suffix}) − its first teacher`, `${m} + LiST (meta weights${suffix})`, firstTeacherRow(m), 3, false);
  }
}

/** A failed job line ("<dataset> <runner flags>") whose every seed finished in another run is not listed. */
const finishedLater = (job: string): boolean => {
  const words = job.split(/\s+/);
  const value = (name: string) => { const i = words.indexOf(name); return i >= 0 ? words[i + 1] : undefined; };
  // A LiST job line without --eval-fraction predates the flag, when every LiST run kept 0.2 of the labels aside.
  const evalFraction = Number(value('--eval-fraction') ?? 0.2);
  const list = ` + LiST (${value('--weighting') ?? 'meta'} weights${HEAD_SUFFIX[value('--student-head') ?? 'initial'] ?? ''}${labelsSuffix(evalFraction)})`;
  const steps = Number(value('--steps') ?? RUNNER_DEFAULT_STEPS);
  const name = `${value('--method') ?? 'lora'}${words.includes('--self-train') ? list : steps === TABLE_STEPS ? '' : ` (${steps} steps)`}`;
  const seeds = cells.get(name)?.get(`${words[0]} K=${value('--k')}`);
  return (value('--seeds') ?? '1,2,3').split(',').every((seed) => seeds?.has(Number(seed)) ?? false);
};
const unfinished = failed.filter((f) => !finishedLater(f));
if (unfinished.length > 0) {
  console.log(`\nDid not finish (${unfinished.length}):`);
  for (const f of unfinished) console.log(`- \`${f}\``);
}
