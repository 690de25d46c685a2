/**
 * `npm run fewshot -- --data <dir> --k <per class> --method <name> [--self-train] [--unlabeled <n>]
 *    [--weighting meta|uniform|meta-by-class|meta-cosine] [--student-head initial|teacher|fresh] [--rounds <n>] [--student-steps <n>] [--student-fine-tune <n>] [--meta-batch <n>] [--confident-share <x>] [--hard-labels] [--per-round <n>] [--steps <n> | --studio] [--lr <x>] [--student-lr <x>]
 *    [--eval-fraction <x>] [--head prompt|random] [--backend wasm|webgpu|cpu] [--seeds 1,2,3] [--feature-cache <file>] [--state-dir <dir>] [--dev <n>] [--json]`
 *
 * Few-shot accuracy headless in Node on the bundled int8 all-MiniLM-L6-v2. <dir> holds train.jsonl and test.jsonl,
 * one {"text", "label"} per line (labels are strings or integers; classes are the sorted distinct labels of
 * train.jsonl). Per seed: K examples per class from train.jsonl, up to --unlabeled other train texts as the
 * unlabelled pool, a classifier trained with fitClassifier (or LiST self-training with --self-train; --weighting
 * uniform is the ablation without meta-reweighting), then accuracy and macro-F1 on test.jsonl. The head starts
 * from the label names (promptInitHead; --head random for a random one). With --json the last line is one JSON
 * object, with the seconds each phase took.
 *
 * Head-only runs (--method head) keep the frozen encoder's embedding of every text they meet (FrozenEmbeddingCache):
 * each distinct text goes through the encoder once per process, however many steps, seeds and rounds use it. With
 * --feature-cache <file> those embeddings are also read from and written back to a file (tied to the encoder's
 * fingerprint and pooling), so runs in other processes on the same dataset start warm.
 *
 * LiST here trains on every labelled example (--eval-fraction 0, the default of this runner): the studio keeps a
 * fifth of the labels aside to show teacher and student accuracy, but a benchmark against runs without
 * self-training must give both sides the same labels. Each LiST seed also reports its first teacher's test
 * accuracy (`firstTeacher`): the model before any self-training, trained on the same labels, so LiST's gain over
 * it is measured with nothing else changed. Each LiST round also reports how right its pseudo-labels were against
 * the pool's hidden labels, and where the meta step put its weight (`pseudoLabels`). --meta-batch sets the
 * labelled examples of each meta step (labelledBatchSize).
 *
 * --confident-share <x> keeps, each round, only the most confident share of each label's pseudo-labels
 * (confidentShare; 1, LiST's way, keeps all). To choose such a knob without looking at the test set, --dev <n>
 * scores on n training texts of each seed's order that are neither its labels nor its pool, instead of
 * test.jsonl; the JSON then says `"evaluatedOn": "dev"`, and fewshot-table.ts keeps those runs out of the table.
 * --hard-labels gives students the teacher's argmax instead of its softmax (softLabels false); --student-lr sets the
 * students' learning rate, which is otherwise the teacher's (--lr). --studio trains a run as the studio's Train
 * button does by default (its epochs, batch size, held-out slice and early stopping; the JSON says
 * `"training": "studio"`), to check the studio's defaults on the same data; with --self-train, as its Self-train
 * button does: the first teacher and every student's fine-tuning train that way, and the self-training knobs not
 * given are the studio's defaults (a fifth of the labels kept aside to score teacher and students, 6 rounds).
 *
 * With --state-dir <dir>, a LiST run writes its state after every finished round (one JSON file per run and seed,
 * named by a hash of everything that defines the run) and, started again with the same flags, resumes after the
 * last finished round instead of starting over: a run cut off by a time limit loses at most one round. The
 * rounds already reported are kept in the file, so the final JSON line reports what an uninterrupted run's does
 * (wall times aside; a head-only run's embedding cache starts cold again, which moves embeddings by ~1e-7).
 *
 * A run without --self-train (and without --studio) trains the method alone exactly as LiST trains its first teacher
 * (selfTrain with no rounds: the same seed streams, labels and steps), so a seed's plain run and its LiST runs share
 * one teacher. With --state-dir, whichever of them runs first saves that teacher and its test metrics, and the others
 * read them instead of training and scoring it again; the plain run's seed then says `"reusedTeacher": true`. (Plain
 * runs before this used seed streams of their own: the same method and labels, another draw of its random init.)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertWeights } from '../src/encoder/bert/weights';
import { WordPieceTokenizer } from '../src/encoder/tokenizer';
import { PeftClassifier } from '../src/peft/classifier';
import { FrozenEmbeddingCache } from '../src/peft/featureCache';
import { labelTextHead, LinearHead } from '../src/peft/head';
import { METHOD_NAMES, type MethodName } from '../src/peft/method';
import { createDelta, PEFT_METHODS } from '../src/peft/registry';
import { initNodeBackend } from '../src/runtime/nodeBackends';
import { classifierFromArrays, DEFAULT_SELF_TRAIN_CONFIG, resolveSelfTrainConfig, selfTrain, type SelfTrainState, STUDENT_HEADS, WEIGHTINGS, type RoundPhaseSeconds, type SelfTrainEvent, type StudentHead, type Weighting } from '../src/selftrain';
import type { LabelledExample } from '../src/training/batching';
import { DEFAULT_TRAINING_CONFIG } from '../src/training/config';
import { fitClassifier } from '../src/training/fitClassifier';
import { Rng } from '../src/training/rng';
import { flag, loadBundled } from './bench/common';
import { DatasetError, readDataset, type Dataset, type Row } from './fewshotData';
import type { PseudoLabelQuality } from './fewshotTable';

function usage(message: string): never {
  console.error(`${message}\nusage: npm run fewshot -- --data <dir> --k <per class> --method <${METHOD_NAMES.join('|')}> [--self-train] [--unlabeled <n>] [--weighting ${WEIGHTINGS.join('|')}] [--student-head initial|teacher|fresh] [--rounds <n>] [--student-steps <n>] [--student-fine-tune <n>] [--meta-batch <n>] [--confident-share <x>] [--hard-labels] [--per-round <n>] [--steps <n> | --studio] [--lr <x>] [--student-lr <x>] [--eval-fraction <x>] [--head prompt|random] [--backend wasm|webgpu|cpu] [--seeds 1,2,3] [--feature-cache <file>] [--state-dir <dir>] [--dev <n>] [--json]`);
  process.exit(2);
}

/**
 * K per class (seeded), the other training texts (seeded order) as the unlabelled pool, with their hidden labels,
 * and the last `dev` texts of that order as a dev set (empty when dev is 0; the same texts whatever the pool size).
 */
function sample(train: LabelledExample[], classes: number, k: number, unlabeled: number, dev: number, seed: number) {
  const rng = new Rng(seed);
  const order = rng.shuffle(train.map((_, i) => i));
  const taken = new Set<number>();
  for (let c = 0; c < classes; c++) order.filter((i) => train[i].label === c).slice(0, k).forEach((i) => taken.add(i));
  const labelled = [...taken].map((i) => train[i]);
  const rest = order.filter((i) => !taken.has(i));
  const poolRows = rest.slice(0, unlabeled);
  // The dev set is the end of the order, so every pool size of a seed is scored on the same texts.
  if (dev > 0 && poolRows.length + dev > rest.length) usage(`--dev ${dev}: only ${rest.length - poolRows.length} training texts are left after the labels and the pool.`);
  const devRows = dev > 0 ? rest.slice(rest.length - dev) : [];
  return { labelled, pool: poolRows.map((i) => train[i].text), poolLabels: poolRows.map((i) => train[i].label), devSet: devRows.map((i) => train[i]) };
}

/** Accuracy and macro-F1 (mean over classes of F1; a class never predicted nor present counts 0). */
async function evaluate(classifier: PeftClassifier, tokenizer: WordPieceTokenizer, test: LabelledExample[], classes: number) {
  // Batches of similar length (sorted by characters), so little of each batch is padding.
  const order = test.map((_, i) => i).sort((a, b) => test[a].text.length - test[b].text.length);
  const predicted = new Array<number>(test.length);
  for (let i = 0; i < order.length; i += 32) {
    const rows = order.slice(i, i + 32);
    const p = tf.tidy(() => tf.argMax(classifier.logits(tokenizer.encodeBatch(rows.map((r) => test[r].text), { maxLength: 128 })), 1));
    const values = await p.data();
    rows.forEach((r, j) => (predicted[r] = values[j]));
    p.dispose();
  }
  let correct = 0;
  const f1s: number[] = [];
  for (let c = 0; c < classes; c++) {
    let tp = 0, fp = 0, fn = 0;
    test.forEach((e, i) => {
      if (predicted[i] === c && e.label === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (e.label === c) fn++;
    });
    f1s.push(tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  }
  test.forEach((e, i) => (correct += predicted[i] === e.label ? 1 : 0));
  return { accuracy: correct / test.length, macroF1: f1s.reduce((a, b) => a + b, 0) / classes };
}

const meanStd = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
};

const args = process.argv.slice(2);
const dataDir = flag(args, '--data') ?? usage('--data is required.');
const k = Number(flag(args, '--k') ?? usage('--k is required.'));
const method = (flag(args, '--method') ?? 'lora') as MethodName;
if (!METHOD_NAMES.includes(method)) usage(`Unknown method ${method}.`);
if (!(Number.isInteger(k) && k >= 1)) usage('--k must be an integer >= 1.');
const selfTraining = args.includes('--self-train');
const unlabeled = Number(flag(args, '--unlabeled') ?? 256);
const seeds = (flag(args, '--seeds') ?? '1,2,3').split(',').map(Number);
const weighting = (flag(args, '--weighting') ?? 'meta') as Weighting;
if (!WEIGHTINGS.includes(weighting)) usage(`--weighting must be one of ${WEIGHTINGS.join(', ')}.`);
const studentHead = (flag(args, '--student-head') ?? 'initial') as StudentHead;
if (!STUDENT_HEADS.includes(studentHead)) usage(`--student-head must be one of ${STUDENT_HEADS.join(', ')}.`);
const backend = flag(args, '--backend') ?? 'wasm';
if (!['wasm', 'webgpu', 'cpu'].includes(backend)) usage('--backend must be wasm, webgpu or cpu.');
const headInit = flag(args, '--head') ?? 'prompt';
if (!['prompt', 'random'].includes(headInit)) usage('--head must be prompt or random.');
/**
 * --studio trains as the studio does by default (DEFAULT_TRAINING_CONFIG: epochs, batch, a held-out slice and early
 * stopping), at --lr; without it, --steps steps of batch 8 on every label.
 */
const studio = args.includes('--studio');
if (studio && flag(args, '--steps')) usage('--studio trains as the studio does: it takes no --steps.');
const lr = Number(flag(args, '--lr') ?? 1e-3);
const { seed: _seed, ...studioTraining } = DEFAULT_TRAINING_CONFIG;
const fineTune = studio ? { ...studioTraining, lr } : { lr, maxSteps: Number(flag(args, '--steps') ?? 30), batchSize: 8, heldOutFraction: 0, patience: 0 };
const selfConfig = resolveSelfTrainConfig({ fineTune, weighting, studentHead,
  evalFraction: Number(flag(args, '--eval-fraction') ?? (studio ? DEFAULT_SELF_TRAIN_CONFIG.evalFraction : 0)),
  unlabeledPerRound: Number(flag(args, '--per-round') ?? Math.min(unlabeled, 256)),
  ...(flag(args, '--rounds') ? { rounds: Number(flag(args, '--rounds')) } : {}),
  ...(flag(args, '--student-steps') ? { studentSteps: Number(flag(args, '--student-steps')) } : {}),
  ...(flag(args, '--student-fine-tune') ? { studentFineTuneSteps: Number(flag(args, '--student-fine-tune')) } : {}),
  ...(flag(args, '--meta-batch') ? { labelledBatchSize: Number(flag(args, '--meta-batch')) } : {}),
  ...(flag(args, '--confident-share') ? { confidentShare: Number(flag(args, '--confident-share')) } : {}),
  // The student learns at the teacher's rate unless told otherwise: a head tuned to lr 0.03 has a student to match.
  studentLr: Number(flag(args, '--student-lr') ?? fineTune.lr),
  softLabels: !args.includes('--hard-labels'),
});
/** --dev <n>: score on n further training texts of each seed instead of test.jsonl (for choosing knobs). */
const dev = Number(flag(args, '--dev') ?? 0);
if (!(Number.isInteger(dev) && dev >= 0)) usage('--dev must be an integer >= 0.');

const featureFile = flag(args, '--feature-cache');
const stateDir = flag(args, '--state-dir');

const started = performance.now();
let dataset: Dataset;
try {
  dataset = readDataset(dataDir, k);
} catch (error) {
  if (!(error instanceof DatasetError)) throw error;
  console.error(error.message); // what is wrong with the data, not with the command line: no usage line
  process.exit(2);
}
const { names } = dataset;
const toExample = (r: Row): LabelledExample => ({ text: r.text, label: names.indexOf(String(r.label)) });
const train = dataset.train.map(toExample);
const test = dataset.test.map(toExample);
const backendInfo = await initNodeBackend(backend as 'wasm' | 'webgpu' | 'cpu');
if (backendInfo.backend !== backend) usage(`Backend ${backend} could not start: ${backendInfo.fallbackReason ?? 'unknown reason'}.`);
const ckpt = await loadBundled();
const weights = BertWeights.fromCheckpoint(ckpt);
const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
const features = method === 'head' ? new FrozenEmbeddingCache(weights, ckpt.pooling) : undefined;
const cacheTag = JSON.stringify({ fingerprint: ckpt.fingerprint, pooling: ckpt.pooling, hidden: ckpt.config.hiddenSize });
if (features && featureFile && existsSync(featureFile)) readFeatureFile(featureFile, features);
const loadSeconds = (performance.now() - started) / 1000;

/**
 * The file: a little-endian u32 header length, the header (JSON: the encoder's tag and the row keys), then the
 * rows' float32s. A file from another encoder or pooling is ignored with a warning (and overwritten at the end).
 */
function readFeatureFile(path: string, cache: FrozenEmbeddingCache): void {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as { tag: string; keys: string[] };
  if (header.tag !== cacheTag) {
    console.error(`${path} holds embeddings of another encoder or pooling; starting cold.`);
    return;
  }
  const body = bytes.subarray(4 + headerLength);
  const data = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  cache.importRows(header.keys, data);
}

async function writeFeatureFile(path: string, cache: FrozenEmbeddingCache): Promise<void> {
  const { keys, data } = await cache.exportRows();
  const header = Buffer.from(JSON.stringify({ tag: cacheTag, keys }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  writeWhole(path, Buffer.concat([length, header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/** Writes through a temporary file and a rename: a reader sees the old file or the new one, never half of one. */
function writeWhole(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

type RoundRow = {
  round: number; teacherAccuracy: number | null; studentAccuracy: number | null; seconds: RoundPhaseSeconds;
  /** Absent in rows written before it was measured. */
  pseudoLabels?: PseudoLabelQuality;
};

/** Tallies PseudoLabelQuality from a round's events. */
class PseudoLabelTally {
  private labelOf = new Map<number, number>();
  private accuracy = 0;
  private weighted = { steps: 0, onCorrect: 0, batchCorrect: 0, skipped: 0 };
  private byClass = { weight: [] as number[], batch: [] as number[] };

  constructor(private readonly poolLabels: readonly number[], private readonly classes: number) {}

  onEvent(e: SelfTrainEvent): void {
    if (e.kind === 'pseudoLabels') {
      this.labelOf = new Map(e.items.map((item) => [item.poolIndex, item.label]));
      this.accuracy = e.items.filter((item) => item.label === this.poolLabels[item.poolIndex]).length / Math.max(1, e.items.length);
      this.weighted = { steps: 0, onCorrect: 0, batchCorrect: 0, skipped: 0 };
      this.byClass = { weight: new Array<number>(this.classes).fill(0), batch: new Array<number>(this.classes).fill(0) };
    } else if (e.kind === 'studentStep' && e.phase !== 'warmup') {
      const correct = e.poolIndices.map((i) => (this.labelOf.get(i) === this.poolLabels[i] ? 1 : 0));
      if (e.weights.every((w) => w === 0)) {
        this.weighted.skipped += 1;
        return;
      }
      this.weighted.steps += 1;
      this.weighted.onCorrect += e.weights.reduce((t, w, j) => t + w * correct[j], 0);
      this.weighted.batchCorrect += correct.reduce((t: number, c) => t + c, 0) / correct.length;
      e.poolIndices.forEach((i, j) => {
        const label = this.labelOf.get(i)!;
        this.byClass.weight[label] += e.weights[j];
        this.byClass.batch[label] += 1 / e.poolIndices.length;
      });
    }
  }

  quality(): PseudoLabelQuality {
    const { steps, onCorrect, batchCorrect, skipped } = this.weighted;
    const mean = (xs: number[]) => (steps > 0 ? xs.map((x) => x / steps) : null);
    return {
      accuracy: this.accuracy, weightOnCorrect: steps > 0 ? onCorrect / steps : null, batchCorrect: steps > 0 ? batchCorrect / steps : null,
      weightByClass: mean(this.byClass.weight), batchByClass: mean(this.byClass.batch), skippedSteps: skipped,
    };
  }
}
type Metrics = { accuracy: number; macroF1: number };
interface SavedRun {
  state: SelfTrainState;
  rounds: RoundRow[];
  teacherSeconds: number | null;
  /** The first teacher's test metrics (absent in files written before they were measured). */
  firstTeacher?: Metrics | null;
  /** Seconds that scoring took (absent in files written before it was kept). */
  firstTeacherEvalSeconds?: number;
}

/**
 * What trains the first teacher: the LiST run's own configuration, or for a plain run the same with no rounds and
 * every label (a plain run keeps none aside, whatever --eval-fraction says).
 */
const teacherConfig = selfTraining ? selfConfig : { ...selfConfig, rounds: 0, evalFraction: 0 };

/** Saved files hold first-teacher scores, so a dev run keeps its own (test runs keep their old names). */
const devKey = dev > 0 ? { dev } : {};
const hashed = (key: unknown) => createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);

/** Where seed `seed` of this run keeps its state: named by a hash of the data, K, method and every LiST knob. */
function stateFile(seed: number): string | null {
  if (!stateDir || !selfTraining) return null;
  return join(stateDir, `${hashed({ data: dataDir, k, unlabeled, method: PEFT_METHODS[method].defaults, headInit, backend, selfConfig, seed, ...devKey })}.json`);
}

/**
 * Where seed `seed` keeps its first teacher (round 0), named by what defines that teacher alone: the knobs of the
 * rounds (weighting, student head, rounds, steps) leave it unchanged, so a meta and a uniform run of one seed train
 * it once between them.
 */
function teacherFile(seed: number): string | null {
  if (!stateDir || (!selfTraining && studio)) return null;
  const { fineTune: ft, evalFraction, maxLength } = teacherConfig;
  return join(stateDir, `teacher-${hashed({ data: dataDir, k, method: PEFT_METHODS[method].defaults, headInit, backend, ft, evalFraction, maxLength, seed, ...devKey })}.json`);
}

const toJson = (run: SavedRun) => JSON.stringify(run, (_, v) => (v instanceof Float32Array ? Array.from(v) : v));

function readSavedRun(path: string | null): SavedRun | null {
  if (!path || !existsSync(path)) return null;
  const run = JSON.parse(readFileSync(path, 'utf8')) as SavedRun;
  run.state.teacher = run.state.teacher.map((a) => ({ ...a, data: Float32Array.from(a.data as unknown as number[]) }));
  return run;
}

function writeSavedRun(path: string | null, run: SavedRun): void {
  if (!path) return;
  mkdirSync(stateDir!, { recursive: true });
  writeWhole(path, toJson(run));
}

/** Test (or dev) metrics of the classifier a LiST state holds (its teacher). */
async function evaluateArrays(state: SelfTrainState, scoredSet: LabelledExample[]): Promise<Metrics> {
  const classifier = classifierFromArrays(weights, ckpt.pooling, ckpt.config, PEFT_METHODS[method].defaults, state.teacher, features);
  try {
    return await evaluate(classifier, tokenizer, scoredSet, names.length);
  } finally {
    classifier.dispose();
  }
}

/** A head that scores the frozen encoder's embedding of each label name: a zero-shot start (promptInitHead). */
const labelNameHead = () => labelTextHead(weights, ckpt.pooling, tokenizer, names);

const perSeed = [];
for (const seed of seeds) {
  const { labelled, pool, poolLabels, devSet } = sample(train, names.length, k, unlabeled, dev, seed);
  const scored = dev > 0 ? devSet : test;
  const t0 = performance.now();
  let classifier: PeftClassifier | null = null;
  let teacherSeconds: number | null = null;
  /** A plain run's teacher as a LiST run (or an earlier plain run) of this seed saved it: metrics and seconds. */
  let reused: SavedRun | null = null;
  /** A plain run's freshly trained teacher, saved for the LiST runs of its seed once it is scored. */
  let plainTeacher: SelfTrainState | null = null;
  const rounds: RoundRow[] = [];
  const head = headInit === 'prompt' ? await labelNameHead() : LinearHead.random(ckpt.config.hiddenSize, names.length, seed + 1);
  let firstTeacher: Metrics | null = null;
  let firstTeacherSeconds = 0;
  /** Test metrics of the teacher a LiST state holds, timed apart from training. */
  const scoreTeacher = async (state: SelfTrainState) => {
    const t = performance.now();
    const metrics = await evaluateArrays(state, scored);
    firstTeacherSeconds += (performance.now() - t) / 1000;
    return metrics;
  };
  if (selfTraining) {
    const file = stateFile(seed);
    const sharedTeacher = teacherFile(seed);
    const saved = readSavedRun(file) ?? readSavedRun(sharedTeacher);
    let lastState: SelfTrainState | null = null;
    if (saved) {
      rounds.push(...saved.rounds);
      teacherSeconds = saved.teacherSeconds;
      firstTeacher = saved.firstTeacher ?? null;
      if (!args.includes('--json')) console.log(`seed ${seed}: resuming after round ${saved.state.roundsFinished} from ${existsSync(file!) ? file : sharedTeacher}`);
    }
    if (saved && firstTeacher === null && saved.state.roundsFinished === 0) firstTeacher = await scoreTeacher(saved.state);
    const tally = new PseudoLabelTally(poolLabels, names.length);
    const result = await selfTrain({
      weights, pooling: ckpt.pooling, encoder: ckpt.config, tokenizer, method: PEFT_METHODS[method].defaults, classes: names.length, features,
      labelled, unlabelled: pool, config: { ...selfConfig, seed }, initialHead: head, ...(saved ? { resume: saved.state } : {}),
      onState: async (s) => {
        lastState = s;
        if (s.roundsFinished > 0) return; // written with its round's row, on the 'round' event below
        teacherSeconds = (performance.now() - t0) / 1000;
        firstTeacher = await scoreTeacher(s);
        writeSavedRun(file, { state: s, rounds, teacherSeconds, firstTeacher });
        writeSavedRun(sharedTeacher, { state: s, rounds: [], teacherSeconds, firstTeacher, firstTeacherEvalSeconds: firstTeacherSeconds });
      },
      onEvent: (e) => {
        tally.onEvent(e);
        if (e.kind !== 'round') return;
        rounds.push({ round: e.round, teacherAccuracy: e.teacherAccuracy, studentAccuracy: e.studentAccuracy, seconds: e.phaseSeconds, pseudoLabels: tally.quality() });
        if (lastState) writeSavedRun(file, { state: lastState, rounds, teacherSeconds, firstTeacher });
        if (!args.includes('--json')) console.log(`seed ${seed} round ${e.round}: teacher ${e.teacherAccuracy} student ${e.studentAccuracy} ${JSON.stringify(e.phaseSeconds)}`);
      },
    });
    classifier = result.classifier;
    head.dispose();
  } else if (!studio) {
    // The method alone is LiST's first teacher: trained by selfTrain with no rounds, or read where one was saved.
    const saved = readSavedRun(teacherFile(seed));
    if (saved?.firstTeacher) {
      reused = saved;
    } else {
      const result = await selfTrain({
        weights, pooling: ckpt.pooling, encoder: ckpt.config, tokenizer, method: PEFT_METHODS[method].defaults, classes: names.length, features,
        labelled, unlabelled: pool, config: { ...teacherConfig, seed }, initialHead: head, ...(saved ? { resume: saved.state } : {}),
        onState: (s) => void (plainTeacher = s),
      });
      classifier = result.classifier;
    }
    head.dispose();
  } else {
    const delta = createDelta(ckpt.config, PEFT_METHODS[method].defaults, seed);
    classifier = new PeftClassifier(weights, ckpt.pooling, delta, head, features);
    await fitClassifier({ classifier, tokenizer, examples: labelled, config: { ...fineTune, seed } });
  }
  const trainSeconds = reused ? reused.teacherSeconds : (performance.now() - t0) / 1000 - firstTeacherSeconds;
  const t1 = performance.now();
  const metrics = reused ? reused.firstTeacher! : await evaluate(classifier!, tokenizer, scored, names.length);
  const evalSeconds = reused ? (reused.firstTeacherEvalSeconds ?? null) : (performance.now() - t1) / 1000;
  classifier?.dispose();
  if (plainTeacher) {
    writeSavedRun(teacherFile(seed), { state: plainTeacher, rounds: [], teacherSeconds: trainSeconds, firstTeacher: metrics, ...(evalSeconds === null ? {} : { firstTeacherEvalSeconds: evalSeconds }) });
  }
  const row = {
    seed, labelled: labelled.length, unlabelled: selfTraining ? pool.length : 0, ...metrics, ...(selfTraining ? { firstTeacher } : {}), ...(reused ? { reusedTeacher: true } : {}), rounds,
    seconds: { train: trainSeconds, teacher: teacherSeconds, eval: evalSeconds, ...(selfTraining ? { firstTeacherEval: firstTeacherSeconds } : {}) },
  };
  if (!args.includes('--json')) console.log(JSON.stringify(row));
  perSeed.push(row);
}
const summary = {
  data: dataDir, k, method, ...(dev > 0 ? { evaluatedOn: 'dev', dev } : {}), ...(studio ? { training: 'studio' } : {}), ...(selfTraining || studio ? {} : { trainedAs: "LiST's first teacher" }), selfTrain: selfTraining, weighting: selfTraining ? weighting : null, head: headInit, backend, classes: names, seeds: perSeed,
  accuracy: meanStd(perSeed.map((r) => r.accuracy)), macroF1: meanStd(perSeed.map((r) => r.macroF1)),
  config: { fineTune, ...(selfTraining ? { selfTrain: { ...selfConfig, seed: 'each of --seeds' } } : {}) },
  ...(features ? { featureCache: features.stats() } : {}),
  seconds: { load: loadSeconds, total: (performance.now() - started) / 1000 },
};
if (features && featureFile) await writeFeatureFile(featureFile, features);
if (args.includes('--json')) console.log(JSON.stringify(summary));
process.exit(0);
