/**
 * The few-shot table of BENCHMARKS.md, as pure functions over the JSON lines `npm run fewshot -- ... --json` prints
 * (one summary per line; lines with "failed" name a run that did not finish). `scripts/fewshot-table.ts` is the
 * command around them.
 *
 * Rows are method variants (the method, + LiST with meta or uniform weights), columns are datasets at each K; a cell
 * is the accuracy's mean ± std over the seeds that finished, with their count. Seeds of one cell may come from
 * several runs (one per seed); a seed measured twice keeps its last value.
 *
 * LiST runs that kept a share of the labels aside (the runner's --eval-fraction; before that flag existed, 0.2) get
 * their own rows, marked with the share they trained on. A LiST run that reports its first teacher's test accuracy
 * (`firstTeacher`) also fills the row "<method> (LiST's first teacher)": that teacher is the method trained on the
 * same labels without self-training. Plain runs that say `trainedAs: "LiST's first teacher"` are that teacher, bit
 * for bit; older ones drew their random initialisation from streams of their own.
 *
 * The two goals are paired comparisons (same dataset, K and seed on both sides, so a seed missing on one
 * side drops out of both): LiST (meta weights) against the same method without self-training, averaged over the
 * datasets (goal: +3 points); and meta against uniform weights (goal: > 0). A goal is judged only where all four
 * datasets have at least MIN_PAIRED_SEEDS paired seeds: one seed of a method whose runs differ by several points
 * from seed to seed cannot meet or miss a goal. A judged goal whose mean lies within NOISE_STANDARD_ERRORS standard
 * errors (from seed to seed) of the goal is neither met nor missed: the line says 'within noise'. Where first
 * teachers were reported, LiST is also set against its own first teacher (the gain of the rounds alone).
 */

import { DEFAULT_SELF_TRAIN_CONFIG } from '../src/selftrain/config';

export interface Summary {
  data: string;
  k: number;
  method: string;
  selfTrain: boolean;
  weighting: string | null;
  /**
   * 'dev' for a run scored on a dev split of the training texts (--dev), absent for the test set; any other value
   * (a retired dev split) belongs to neither table.
   */
  evaluatedOn?: string;
  /** 'studio' for a run trained as the studio's Train button does by default (--studio); absent for --steps runs. */
  training?: string;
  seeds: Array<{ seed: number; accuracy: number; firstTeacher?: { accuracy: number } | null; rounds?: Array<{ pseudoLabels?: PseudoLabelQuality }> }>;
  config?: {
    fineTune?: { maxSteps?: number; lr?: number };
    selfTrain?: {
      rounds?: number; studentHead?: string; evalFraction?: number; labelledBatchSize?: number; confidentShare?: number; studentSteps?: number;
      unlabeledPerRound?: number; studentFineTuneSteps?: number; studentLr?: number; softLabels?: boolean;
    };
  };
}

/**
 * What the runner tallies per LiST round about its pseudo-labels, against the pool's hidden labels: `accuracy`, the
 * share of the round's sample whose teacher label is the true one; over the student's steps after warm-up,
 * `weightOnCorrect`, the mean weight those steps put on correctly labelled texts (weights sum to 1), and
 * `batchCorrect`, the mean share of correctly labelled texts in their batches (what uniform weights put on them);
 * the same two per pseudo-label class (`weightByClass`, `batchByClass`: does the meta step pick the right labels,
 * or one class? absent in the first tallied runs); `skippedSteps`, the steps whose weights were all 0.
 */
export interface PseudoLabelQuality {
  accuracy: number;
  weightOnCorrect: number | null;
  batchCorrect: number | null;
  weightByClass?: number[] | null;
  batchByClass?: number[] | null;
  skippedSteps: number;
}

/** Accuracy per seed, keyed by variant (row), then column ("<dataset> K=<k>"), then seed. */
export type Cells = Map<string, Map<string, Map<number, number>>>;

/** Labelled steps of the table's runs without LiST (and of LiST's first teacher); other step counts get their own row. */
const TABLE_STEPS = 100;
/** The runner's --steps when the flag is absent. */
const RUNNER_DEFAULT_STEPS = 30;
/** Learning rate of the table's runs (and the runner's default); another one names its rows ("head at lr 0.03"). */
const TABLE_LR = 1e-3;
/** The share of labels a LiST job line without --eval-fraction kept aside: it predates the flag. */
const EVAL_FRACTION_BEFORE_FLAG = 0.2;

/** The meta step's labelled batch by default (DEFAULT_SELF_TRAIN_CONFIG.labelledBatchSize). */
const DEFAULT_META_BATCH = DEFAULT_SELF_TRAIN_CONFIG.labelledBatchSize;
/** How a LiST variant's name shows a student head other than the default ('initial'). */
const HEAD_SUFFIX: Record<string, string> = { initial: '', teacher: ", teacher's head", fresh: ', fresh head' };

/** The table: every method at both K on the four datasets, 5 seeds, without LiST and with it (meta and uniform). */
export const TABLE = {
  datasets: ['emotion', 'mpqa', 'sst2', 'subj'],
  ks: [16, 8],
  seeds: [1, 2, 3, 4, 5],
  methods: ['head', 'lora', 'bottleneck', 'prefix', 'ptuningV2', 'prompt', 'ptuning'],
} as const;
/** The runner's flags shared by every run of the table (BENCHMARKS.md, "Settings"). */
const TABLE_FLAGS = '--steps 100 --lr 1e-3 --head prompt --backend wasm';


/**
 * Runs and failed job lines from the text of one results file: the test-set runs, or with `dev` the runs scored on
 * a dev split (the two never share a table).
 */
export function parseResults(text: string, dev = false): { runs: Summary[]; failed: string[] } {
  const runs: Summary[] = [];
  const failed: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Summary | { failed: string };
    if ('failed' in row) {
      if (/(^|\s)--dev\s/.test(row.failed) === dev) failed.push(row.failed);
    } else if (row.evaluatedOn === (dev ? 'dev' : undefined)) {
      runs.push(row);
    }
  }
  return { runs, failed };
}

const dataset = (r: Summary) => r.data.replace(/\/+$/, '').split('/').pop() ?? r.data;
/** How a LiST variant's name shows that it trained on part of the labels (held-out share > 0). */
const labelsSuffix = (evalFraction: number) => (evalFraction > 0 ? `, ${Math.round(100 * (1 - evalFraction))} % of labels` : '');
/** The table's student: steps per round, texts pseudo-labelled per round, fine-tuning steps on the labels. */
const TABLE_STUDENT = { steps: 30, perRound: 256, fineTune: 30 };
/** The table's LiST rounds (the cost budget: 3 rounds on 2,000 texts); other counts get rows of their own. */
const TABLE_ROUNDS = 3;
const LIST_FLAGS = `--unlabeled 2000 --rounds ${TABLE_ROUNDS} --student-steps ${TABLE_STUDENT.steps} --student-fine-tune ${TABLE_STUDENT.fineTune} ` +
  `--per-round ${TABLE_STUDENT.perRound} --eval-fraction 0`;

/** The knobs that put a LiST run in a row of its own, as a run's config or a job line's flags give them. */
interface ListKnobs {
  rounds: number;
  studentHead: string;
  studentSteps: number;
  perRound: number;
  fineTune: number;
  metaBatch: number;
  confidentShare: number;
  evalFraction: number;
  /** The teacher's learning rate (--lr) and the student's (--student-lr; the runner's default is the teacher's). */
  lr: number;
  studentLr: number;
  softLabels: boolean;
}

/**
 * The variant suffix of a LiST run: a round count other than the table's, a student head other than 'initial', a
 * student other than the table's (steps and
 * sample, then fine-tuning), a meta batch other than the default, a confident share below 1, hard pseudo-labels, a
 * student learning rate other than the teacher's, then the share of labels it trained on.
 */
function listSuffixOf(k: ListKnobs): string {
  const student = k.studentSteps === TABLE_STUDENT.steps && k.perRound === TABLE_STUDENT.perRound ? '' : `, ${k.studentSteps} student steps on ${k.perRound} texts a round`;
  // 0: each student is fine-tuned on the labels as the first teacher was trained (the studio's default).
  const fineTune = k.fineTune === 0 ? ', students trained on the labels as the teacher' : `, ${k.fineTune} labelled steps a round`;
  return [
    k.rounds === TABLE_ROUNDS ? '' : `, ${k.rounds} rounds`,
    HEAD_SUFFIX[k.studentHead] ?? '',
    student,
    k.fineTune === TABLE_STUDENT.fineTune ? '' : fineTune,
    k.metaBatch === DEFAULT_META_BATCH ? '' : `, meta batch ${k.metaBatch}`,
    k.confidentShare >= 1 ? '' : `, ${Math.round(100 * k.confidentShare)} % most confident`,
    k.softLabels ? '' : ', hard labels',
    k.studentLr === k.lr ? '' : `, student lr ${k.studentLr}`,
    labelsSuffix(k.evalFraction),
  ].join('');
}

const listSuffix = (r: Summary) => {
  const c = r.config?.selfTrain ?? {};
  return listSuffixOf({
    rounds: c.rounds ?? TABLE_ROUNDS, studentHead: c.studentHead ?? 'initial', studentSteps: c.studentSteps ?? TABLE_STUDENT.steps, perRound: c.unlabeledPerRound ?? TABLE_STUDENT.perRound,
    fineTune: c.studentFineTuneSteps ?? TABLE_STUDENT.fineTune, metaBatch: c.labelledBatchSize ?? DEFAULT_META_BATCH,
    confidentShare: c.confidentShare ?? 1, evalFraction: c.evalFraction ?? 0,
    lr: lrOf(r), studentLr: c.studentLr ?? lrOf(r), softLabels: c.softLabels ?? true,
  });
};
const lrOf = (r: Summary) => r.config?.fineTune?.lr ?? TABLE_LR;
/** A method trained at a learning rate other than the table's is a method of its own: "head at lr 0.03". */
const methodAt = (method: string, lr: number) => (lr === TABLE_LR ? method : `${method} at lr ${lr}`);
const studioRow = (method: string) => `${method} (the studio's training)`;
/**
 * The method as its rows name it (with its learning rate, and how it trains when that is the studio's way); LiST is
 * compared with the plain runs of this name.
 */
export const methodOf = (r: Summary) => methodNamed(r.method, lrOf(r), r.training === 'studio');
function methodNamed(method: string, lr: number, studio: boolean): string {
  const name = methodAt(method, lr);
  return studio ? studioRow(name) : name;
}
export const firstTeacherRow = (method: string) => `${method} (LiST's first teacher)`;
const plainRow = (method: string, steps: number) => (steps === TABLE_STEPS ? method : `${method} (${steps} steps)`);

/** The row a run belongs to. */
export function variantOf(r: Summary): string {
  if (r.selfTrain) return `${methodOf(r)} + LiST (${r.weighting} weights${listSuffix(r)})`;
  if (r.training === 'studio') return methodOf(r);
  return plainRow(methodOf(r), r.config?.fineTune?.maxSteps ?? TABLE_STEPS);
}
const column = (r: Summary) => `${dataset(r)} K=${r.k}`;

function seedsOf(cells: Cells, row: string, col: string): Map<number, number> {
  const byColumn = cells.get(row) ?? new Map<string, Map<number, number>>();
  cells.set(row, byColumn);
  const bySeed = byColumn.get(col) ?? new Map<number, number>();
  byColumn.set(col, bySeed);
  return bySeed;
}

/** Every run's accuracies by row, column and seed; a LiST run's first teachers fill their own row. */
export function buildCells(runs: readonly Summary[]): Cells {
  const cells: Cells = new Map();
  for (const r of runs) {
    const bySeed = seedsOf(cells, variantOf(r), column(r));
    for (const s of r.seeds) bySeed.set(s.seed, s.accuracy);
    const teachers = r.seeds.filter((s) => s.firstTeacher);
    if (teachers.length === 0) continue;
    const teacherSeeds = seedsOf(cells, firstTeacherRow(methodOf(r)) + labelsSuffix(r.config?.selfTrain?.evalFraction ?? 0), column(r));
    for (const s of teachers) teacherSeeds.set(s.seed, s.firstTeacher!.accuracy);
  }
  return cells;
}

/** The columns the runs fill: K ascending, then dataset. */
export function columnsOf(runs: readonly Summary[]): string[] {
  return [...new Set(runs.map(column))].sort((a, b) => {
    const [da, ka] = a.split(' K='), [db, kb] = b.split(' K=');
    return Number(ka) - Number(kb) || da.localeCompare(db);
  });
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
};
const pct = (x: number) => (100 * x).toFixed(1);

/** The Markdown table: one line per row, sorted by name; a dash where a row has no seed in a column. */
export function renderTable(cells: Cells, columns: readonly string[]): string[] {
  const lines = [`| variant | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
  for (const [name, byColumn] of [...cells].sort(([a], [b]) => a.localeCompare(b))) {
    const row = columns.map((c) => {
      const seeds = byColumn.get(c);
      if (!seeds || seeds.size === 0) return '–';
      const { mean, std } = stats([...seeds.values()]);
      return `${pct(mean)} ± ${pct(std)} (${seeds.size})`;
    });
    lines.push(`| ${name} | ${row.join(' | ')} |`);
  }
  return lines;
}

/**
 * Mean over seeds present on both sides of (a - b), per column, and the sample variance of those per-seed differences
 * (n - 1 in the denominator; 0 for a single seed); columns with no common seed are left out.
 */
export function pairedDiffs(cells: Cells, columns: readonly string[], a: string, b: string): Map<string, { diff: number; seeds: number; variance: number }> {
  const out = new Map<string, { diff: number; seeds: number; variance: number }>();
  for (const c of columns) {
    const sa = cells.get(a)?.get(c);
    const sb = cells.get(b)?.get(c);
    if (!sa || !sb) continue;
    const common = [...sa.keys()].filter((seed) => sb.has(seed));
    if (common.length === 0) continue;
    const xs = common.map((seed) => sa.get(seed)! - sb.get(seed)!);
    const diff = xs.reduce((t, x) => t + x, 0) / xs.length;
    const variance = xs.length < 2 ? 0 : xs.reduce((t, x) => t + (x - diff) ** 2, 0) / (xs.length - 1);
    out.set(c, { diff, seeds: xs.length, variance });
  }
  return out;
}

export type Verdict = 'met' | 'NOT met' | 'within noise' | 'not judged';

/** The fewest paired seeds per dataset a goal is judged on (below it the line says 'not judged' and why). */
export const MIN_PAIRED_SEEDS = 3;

/**
 * How many standard errors the mean must lie from the goal for a verdict: closer than that, the seeds cannot tell
 * a method that meets the goal from one that misses it, and the line says 'within noise'. Two is the usual choice
 * (about a 95 % interval under a normal approximation, which with 3 to 5 seeds per dataset is only rough).
 */
export const NOISE_STANDARD_ERRORS = 2;

/** One goal at one K: the paired differences per dataset (fractions), their mean and the verdict. */
export interface GoalLine {
  title: string;
  k: number;
  mean: number;
  /**
   * The standard error of `mean` from seed to seed (fractions): sqrt(sum over datasets of variance / seeds) / datasets,
   * the datasets being fixed; NaN where a dataset has a single paired seed.
   */
  standardError: number;
  perDataset: Array<{ dataset: string; diff: number; seeds: number; variance: number }>;
  verdict: Verdict;
}

/**
 * The goal "a − b reaches `goal` points" at each K both rows share: judged only over all four datasets, each with at
 * least MIN_PAIRED_SEEDS paired seeds. Then 'within noise' where the mean lies less than NOISE_STANDARD_ERRORS
 * standard errors from the goal; otherwise met where the mean, as printed (one decimal, so +0.0 is a tie, not a win),
 * is at least `goal` (above it when `strict`).
 */
export function judgeGoal(cells: Cells, columns: readonly string[], title: string, a: string, b: string, goal: number, strict: boolean): GoalLine[] {
  const diffs = pairedDiffs(cells, columns, a, b);
  const ks = [...new Set([...diffs.keys()].map((c) => Number(c.split(' K=')[1])))].sort((x, y) => x - y);
  return ks.map((k) => {
    const perDataset = [...diffs].filter(([c]) => c.endsWith(` K=${k}`)).map(([c, d]) => ({ dataset: c.split(' K=')[0], ...d }));
    const mean = perDataset.reduce((t, d) => t + d.diff, 0) / perDataset.length;
    const standardError = perDataset.some((d) => d.seeds < 2)
      ? NaN
      : Math.sqrt(perDataset.reduce((t, d) => t + d.variance / d.seeds, 0)) / perDataset.length;
    const shown = Number(pct(mean));
    const met = strict ? shown > goal : shown >= goal;
    const judged = perDataset.length === TABLE.datasets.length && perDataset.every((d) => d.seeds >= MIN_PAIRED_SEEDS);
    const noisy = Math.abs(mean * 100 - goal) < NOISE_STANDARD_ERRORS * standardError * 100;
    const verdict: Verdict = !judged ? 'not judged' : noisy ? 'within noise' : met ? 'met' : 'NOT met';
    return { title, k, mean, standardError, perDataset, verdict };
  });
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${pct(x)}`;

export function formatGoal(g: GoalLine): string {
  const detail = g.perDataset.map((d) => `${d.dataset} ${signed(d.diff)} (${d.seeds})`).join(', ');
  const se = g.verdict === 'not judged' ? '' : ` (standard error ${(100 * g.standardError).toFixed(2)})`;
  return `- ${g.title}, K=${g.k}: mean ${signed(g.mean)} points${se} over ${g.perDataset.length} datasets [${detail}]: goal ${verdictOf(g)}.`;
}

/** The verdict as printed; 'not judged' says why: datasets missing, or too few paired seeds on some. */
function verdictOf(g: GoalLine): string {
  if (g.verdict === 'within noise') return `neither met nor missed: within noise (less than ${NOISE_STANDARD_ERRORS} standard errors from the goal)`;
  if (g.verdict !== 'not judged') return g.verdict;
  if (g.perDataset.length < TABLE.datasets.length) return `not judged (${g.perDataset.length} of ${TABLE.datasets.length} datasets)`;
  const short = g.perDataset.filter((d) => d.seeds < MIN_PAIRED_SEEDS);
  const all = short.length === g.perDataset.length;
  return `not judged (fewer than ${MIN_PAIRED_SEEDS} paired seeds on ${all ? 'every dataset' : short.map((d) => d.dataset).join(', ')})`;
}

/** Every goal the runs allow: per method and LiST variant, LiST − method, meta − uniform, LiST − its first teacher. */
export function allGoals(runs: readonly Summary[], cells: Cells, columns: readonly string[]): GoalLine[] {
  const lines: GoalLine[] = [];
  const methods = [...new Set(runs.map(methodOf))].sort();
  const suffixes = [...new Set(runs.filter((r) => r.selfTrain).map(listSuffix))].sort();
  // Our variants of the meta step (meta-by-class, meta-cosine), where runs have them: against uniform weights too.
  const variants = [...new Set(runs.filter((r) => r.selfTrain && r.weighting !== 'meta' && r.weighting !== 'uniform').map((r) => String(r.weighting)))].sort();
  for (const m of methods) {
    for (const suffix of suffixes) {
      const meta = `${m} + LiST (meta weights${suffix})`;
      lines.push(...judgeGoal(cells, columns, `${m} + LiST (meta${suffix}) − ${m}`, meta, m, 3, false));
      lines.push(...judgeGoal(cells, columns, `${m} + LiST${suffix}: meta − uniform weights`, meta, `${m} + LiST (uniform weights${suffix})`, 0, true));
      for (const v of variants) {
        const row = `${m} + LiST (${v} weights${suffix})`;
        if (!cells.has(row)) continue;
        lines.push(...judgeGoal(cells, columns, `${m} + LiST${suffix}: ${v} − uniform weights`, row, `${m} + LiST (uniform weights${suffix})`, 0, true));
      }
      if (suffix.includes('% of labels')) continue;
      lines.push(...judgeGoal(cells, columns, `${m} + LiST (meta${suffix}) − its first teacher`, meta, firstTeacherRow(m), 3, false));
    }
  }
  return lines;
}

/** The rows for one method, with the runner flags that make each: LiST (meta, then uniform), then alone. */
function tableRowsOf(method: string): Array<[name: string, flags: string]> {
  return [
    [`${method} + LiST (meta weights)`, `${LIST_FLAGS} --self-train --weighting meta`],
    [`${method} + LiST (uniform weights)`, `${LIST_FLAGS} --self-train --weighting uniform`],
    [method, ''],
  ];
}

/**
 * One job line ("<dataset> <runner flags>", as scripts/gpu/table.sh reads them) per run the table still lacks, one
 * seed each, breadth first: every cell's next seed before any cell's one after it, so that a partial pass over the
 * list leaves every row with paired seeds to compare. Within that, K = 16 before K = 8 and LiST before the plain runs
 * it costs most. Head-only cells, which take seconds, are one line of all their missing seeds.
 */
export function missingJobs(cells: Cells): string[] {
  const jobs: Array<{ line: string; seedsAfter: number; order: number }> = [];
  const has = (name: string, c: string, seed: number) => cells.get(name)?.get(c)?.has(seed) ?? false;
  for (const k of TABLE.ks) {
    for (const method of TABLE.methods) {
      for (const [name, flags] of tableRowsOf(method)) {
        for (const data of TABLE.datasets) {
          const lacking = TABLE.seeds.filter((seed) => !has(name, `${data} K=${k}`, seed));
          const done = TABLE.seeds.length - lacking.length;
          const line = (seeds: number[]) => `${data} --k ${k} ${TABLE_FLAGS} ${flags} --method ${method} --seeds ${seeds.join(',')}`.replace(/ +/g, ' ');
          if (lacking.length === 0) continue;
          if (method === 'head') jobs.push({ line: `${line(lacking)} --feature-cache /tmp/fc-${data}.bin`, seedsAfter: done + 1, order: jobs.length });
          else lacking.forEach((seed, i) => jobs.push({ line: line([seed]), seedsAfter: done + i + 1, order: jobs.length }));
        }
      }
    }
  }
  return jobs.sort((a, b) => a.seedsAfter - b.seedsAfter || a.order - b.order).map((j) => j.line);
}

/** How much of the table (TABLE: each method alone, with LiST and with LiST's uniform ablation) has run. */
export interface Coverage {
  runs: number;
  ofRuns: number;
  /** Cells with every seed of TABLE.seeds. */
  fullCells: number;
  ofCells: number;
}

export function tableCoverage(cells: Cells): Coverage {
  const c: Coverage = { runs: 0, ofRuns: 0, fullCells: 0, ofCells: 0 };
  for (const k of TABLE.ks)
    for (const method of TABLE.methods)
      for (const [name] of tableRowsOf(method))
        for (const data of TABLE.datasets) {
          const done = TABLE.seeds.filter((seed) => cells.get(name)?.get(`${data} K=${k}`)?.has(seed)).length;
          c.runs += done;
          c.ofRuns += TABLE.seeds.length;
          c.fullCells += done === TABLE.seeds.length ? 1 : 0;
          c.ofCells += 1;
        }
  return c;
}

export function formatCoverage(c: Coverage): string {
  return `The issue's table (each method alone, + LiST, + LiST with uniform weights; ${TABLE.datasets.length} datasets, K = ${TABLE.ks.join(' and ')}, ${TABLE.seeds.length} seeds) so far: ${c.runs} of ${c.ofRuns} runs; ${c.fullCells} of ${c.ofCells} cells have every seed.`;
}

/** Whether every seed of a failed job line ("<dataset> <runner flags>") finished in another run. */
export function finishedLater(cells: Cells, job: string): boolean {
  const words = job.split(/\s+/);
  const value = (name: string) => {
    const i = words.indexOf(name);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const number = (name: string, otherwise: number) => Number(value(name) ?? otherwise);
  const lr = number('--lr', TABLE_LR);
  const studio = words.includes('--studio');
  const suffix = listSuffixOf({
    rounds: number('--rounds', DEFAULT_SELF_TRAIN_CONFIG.rounds), studentHead: value('--student-head') ?? 'initial', studentSteps: number('--student-steps', TABLE_STUDENT.steps),
    perRound: number('--per-round', TABLE_STUDENT.perRound), fineTune: number('--student-fine-tune', studio ? 0 : TABLE_STUDENT.fineTune),
    metaBatch: number('--meta-batch', DEFAULT_META_BATCH), confidentShare: number('--confident-share', 1),
    evalFraction: number('--eval-fraction', studio ? DEFAULT_SELF_TRAIN_CONFIG.evalFraction : EVAL_FRACTION_BEFORE_FLAG),
    lr, studentLr: number('--student-lr', lr), softLabels: !words.includes('--hard-labels'),
  });
  const method = methodNamed(value('--method') ?? 'lora', lr, studio);
  const name = words.includes('--self-train')
    ? `${method} + LiST (${value('--weighting') ?? 'meta'} weights${suffix})`
    : studio ? method : plainRow(method, number('--steps', RUNNER_DEFAULT_STEPS));
  const seeds = cells.get(name)?.get(`${words[0]} K=${value('--k')}`);
  return (value('--seeds') ?? '1,2,3').split(',').every((seed) => seeds?.has(Number(seed)) ?? false);
}

/** One variant on one dataset and K: its rounds' pseudo-label tallies, averaged over every round of every seed. */
export interface PseudoLabelSummary {
  variant: string;
  column: string;
  rounds: number;
  /** Share of pseudo-labels that were right. */
  accuracy: number;
  /** Weight the steps after warm-up put on right pseudo-labels, and the right ones' share of those batches. */
  weightOnCorrect: number | null;
  batchCorrect: number | null;
  /** Half the summed |weight - batch share| over pseudo-label classes: how much weight moved between classes. */
  classShift: number | null;
}

const meanOf = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Pseudo-label tallies by variant and column, for the runs that report them (LiST runs since the tally exists). */
export function pseudoLabelSummaries(runs: readonly Summary[]): PseudoLabelSummary[] {
  const groups = new Map<string, { variant: string; column: string; rounds: PseudoLabelQuality[] }>();
  for (const r of runs) {
    const rounds = r.seeds.flatMap((s) => (s.rounds ?? []).flatMap((round) => (round.pseudoLabels ? [round.pseudoLabels] : [])));
    if (rounds.length === 0) continue;
    const key = `${variantOf(r)}|${column(r)}`;
    const group = groups.get(key) ?? { variant: variantOf(r), column: column(r), rounds: [] };
    groups.set(key, group);
    group.rounds.push(...rounds);
  }
  return [...groups.values()]
    .sort((a, b) => a.variant.localeCompare(b.variant) || a.column.localeCompare(b.column))
    .map(({ variant, column: col, rounds }) => {
      const weighted = rounds.filter((q) => q.weightOnCorrect !== null && q.batchCorrect !== null);
      const byClass = weighted.filter((q) => q.weightByClass && q.batchByClass);
      return {
        variant, column: col, rounds: rounds.length,
        accuracy: meanOf(rounds.map((q) => q.accuracy))!,
        weightOnCorrect: meanOf(weighted.map((q) => q.weightOnCorrect!)),
        batchCorrect: meanOf(weighted.map((q) => q.batchCorrect!)),
        classShift: meanOf(byClass.map((q) => q.weightByClass!.reduce((t, w, c) => t + Math.abs(w - q.batchByClass![c]), 0) / 2)),
      };
    });
}

/** The pseudo-label table: one line per variant and column. */
export function renderPseudoLabelTable(summaries: readonly PseudoLabelSummary[]): string[] {
  const cell = (x: number | null) => (x === null ? '–' : pct(x));
  return [
    '| variant | data | rounds | right pseudo-labels | weight on right ones | their share of batches | weight moved between classes |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...summaries.map((q) => `| ${q.variant} | ${q.column} | ${q.rounds} | ${pct(q.accuracy)} | ${cell(q.weightOnCorrect)} | ${cell(q.batchCorrect)} | ${cell(q.classShift)} |`),
  ];
}
