/**
 * Training as a person does it: a task from a CSV, 8 labels by keyboard, LoRA trained briefly with live charts,
 * a delta saved, the model's guess on the Label page, self-training with its weights table changing, a reload in
 * the middle of self-training and one in the middle of plain training (labels intact, the run resumable from its
 * checkpoint, then resumed with the keyboard), a typed text classified, predictions exported as CSV.
 *
 * Responsiveness is asserted: long main-thread tasks are recorded the whole time (PerformanceObserver 'longtask'),
 * and none of those overlapping a training window (from the click that starts a run until it is seen finished;
 * model loads and page starts are outside; so are Playwright's own screenshots, which make the page paint a
 * frame) may last 100 ms or more.
 *
 * Budgets are tiny: on "webgpu" (SwiftShader, ~1 GFLOP/s) the run uses the tiny f32 BERT fixture; on "wasm" the
 * bundled MiniLM with 32-token texts and a dozen steps.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { axeViolations } from './axe';
import { expect, test } from './fixtures';
import { LabelPage } from './pages/LabelPage';
import { ARTIFACTS_DIR } from './pages/StudioPage';
import { TasksPage } from './pages/TasksPage';
import { TrainPage } from './pages/TrainPage';

const TINY = join(import.meta.dirname, '..', 'fixtures/models/tiny-bert');
const POSITIVE = ['I love this phone', 'Great battery and a lovely screen', 'Wonderful, works perfectly', 'Best purchase this year', 'Happy with it, very good', 'Brilliant camera, great value', 'Really nice and fast', 'Excellent sound, love it'];
const NEGATIVE = ['Terrible, it broke in a day', 'Awful battery, very bad', 'I hate the screen', 'Worst phone ever', 'Bad camera and slow', 'Broken on arrival, awful', 'Poor sound, really bad', 'Horrible support, hate it'];
/** Alternating, so labelling the first 8 in order is 1, 2, 1, 2... */
const TEXTS = POSITIVE.flatMap((p, i) => [p, NEGATIVE[i]]);
const CSV = ['text', ...TEXTS.map((t) => (t.includes(',') ? `"${t}"` : t))].join('\n');

/**
 * Inside a measured window the test adds no main-thread work of Playwright's own, which the long-task
 * measurement would count against the studio: the trace keeps no DOM snapshots or screencast (taken at every
 * action and retry, a quarter of the page's busy time in a profiled run), and an element not there yet is awaited
 * with waitFor before any expect on it (an expect on a missing element takes an ARIA snapshot of the whole page
 * at every retry).
 */
test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: false } });

declare global {
  interface Window {
    __longTasks?: Array<{ start: number; duration: number }>;
  }
}

/** The rounds of the self-training run's pseudo-label chart as saved in IndexedDB (what a reload finds). */
function savedPseudoLabelRounds(page: Page): Promise<number[]> {
  return page.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('tabtune-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('runs').objectStore('runs').getAll();
          all.onsuccess = () => {
            const run = (all.result as Array<{ kind: string; history: Record<string, Array<{ round: number }>> }>).find((r) => r.kind === 'selfTrain');
            open.result.close();
            resolve((run?.history.pseudoLabels ?? []).map((r) => r.round));
          };
        };
      }),
  );
}

test('train LoRA, self-train, reload mid-run and resume, try and export: the studio stays responsive', async ({ studio, backend }, testInfo) => {
  test.setTimeout(600_000);
  const page = studio.page;
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks!.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const tasks = new TasksPage(page);
  const label = new LabelPage(page);
  const train = new TrainPage(page);
  const tiny = testInfo.project.name === 'webgpu';
  const useModel = async () => {
    await studio.goto();
    await studio.waitForModel();
    if (!tiny) return;
    const file = (name: string) => ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(join(TINY, name)) });
    await studio.loadFiles([file('config.json'), file('tokenizer.json'), file('model.safetensors')]);
    await studio.waitForModel('local model');
  };
  /** Intervals in which Playwright took a screenshot (it makes the page paint a frame): not the studio's work. */
  let shots: Array<[number, number]> = [];
  const overlaps = (t: { start: number; duration: number }, [a, b]: [number, number]) => t.start + t.duration >= a && t.start <= b;
  const longTasks = async (from: number, to: number) =>
    (await page.evaluate(() => window.__longTasks ?? [])).filter((t) => overlaps(t, [from, to]) && !shots.some((s) => overlaps(t, s)));
  /** A screenshot during a measured window; its interval is left out of the measurement. */
  const shotWhileTraining = async (name: string) => {
    const from = await now();
    await studio.screenshot(name);
    shots.push([from, await now()]);
  };
  const now = () => page.evaluate(() => performance.now());
  /** Long tasks while a run trained, by window name; read before the page reloads (the list starts again then). */
  const windows: Record<string, Array<{ start: number; duration: number }>> = {};
  const recordWindow = async (name: string, from: number) => {
    windows[name] = await longTasks(from, await now());
    shots = [];
  };

  await tasks.goto(backend);
  await tasks.create('Phones', ['positive', 'negative']);
  await tasks.upload('phones.csv', CSV, 'text/csv');
  await tasks.importTable('text', null);
  await expect(page.getByTestId('texts.report.added')).toHaveText('16');
  await useModel();

  // Label 8 with the keyboard. After the first, the Train page says why it cannot train yet.
  await label.open();
  await label.press('1', '1 of 16 labelled');
  await train.open();
  await expect(train.byTestId('train.hint')).toHaveText('Label texts of at least two labels first (Label page): a classifier learns from the differences.');
  await expect(train.byTestId('train.start')).toBeDisabled();
  await expect(train.byTestId('train.start')).toHaveAccessibleDescription(/at least two labels/); // heard with the button
  await label.open();
  for (let i = 1; i < 8; i++) await label.press(i % 2 === 0 ? '1' : '2', `${i + 1} of 16 labelled`);

  // Train LoRA briefly; the charts fill in while it runs.
  await train.open();
  await train.byTestId('train.method').selectOption('lora');
  await expect(train.byTestId('train.field.lora.r')).toHaveValue('8');
  await train.field('training', 'maxSteps', 12);
  await train.field('training', 'batchSize', 4);
  await train.field('training', 'maxLength', 32);
  await train.field('training', 'heldOutFraction', 0.25);
  await train.field('training', 'evalEvery', 3);
  await train.field('training', 'patience', 0);
  await studio.screenshot('train-form');
  const trainStart = await now();
  await train.byTestId('train.start').click();
  await train.byTestId('train.cancel').waitFor();
  await expect(train.byTestId('train.cancel')).toBeEnabled();
  await expect.poll(() => train.points('chart.loss'), { timeout: 240_000 }).toBeGreaterThan(0);
  const early = await train.points('chart.loss');
  await shotWhileTraining('train-running');
  await expect(train.run(0)).toHaveAttribute('data-status', 'completed', { timeout: 240_000 });
  await recordWindow('train', trainStart);
  expect(await train.points('chart.loss')).toBe(12);
  expect(await train.points('chart.loss')).toBeGreaterThan(early - 1);
  expect(await train.points('chart.accuracy')).toBe(4);
  expect(await train.points('chart.lr')).toBe(12);
  expect(await train.points('chart.speed')).toBe(12);
  await expect(train.run(0).getByTestId('train.run.delta')).toContainText('Delta saved (peft');
  await studio.screenshot('train-done');

  // The delta is in IndexedDB as the zip Python loads.
  const saved = await page.evaluate(
    () =>
      new Promise<Array<{ method: string; format: string; head: number[]; fingerprint: string }>>((resolve, reject) => {
        const open = indexedDB.open('tabtune-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('deltas').objectStore('deltas').getAll();
          all.onsuccess = () => resolve(all.result.map((d: { method: string; format: string; zip: Uint8Array; encoderFingerprint: string }) => ({ method: d.method, format: d.format, head: Array.from(d.zip.subarray(0, 2)), fingerprint: d.encoderFingerprint })));
        };
      }),
  );
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ method: 'lora', format: 'peft', head: [0x50, 0x4b] });
  expect(saved[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);

  // Active learning: the Label page shows the text the model is least sure of, with its guess.
  await label.open();
  await expect(page.getByTestId('label.guess')).toContainText(/Model’s guess: (positive|negative) \(\d+% sure\)/);
  await studio.screenshot('label-guess');

  // Self-training: the weights table changes as the meta step re-weights the pseudo-labelled texts.
  await train.open();
  await train.field('selfTrain', 'rounds', 2);
  await train.field('selfTrain', 'studentSteps', 10);
  await train.field('selfTrain', 'warmupFraction', 0.3);
  await train.field('selfTrain', 'unlabeledPerRound', 8);
  await train.field('selfTrain', 'unlabeledBatchSize', 4);
  await train.field('selfTrain', 'labelledBatchSize', 4);
  await train.field('selfTrain', 'maxLength', 32);
  await train.field('selfTrain', 'confidentShare', 0.5); // the student learns from the surer half of each label
  const selfStart = await now();
  await train.byTestId('train.selftrain.start').click();
  await train.byTestId('selftrain.view').waitFor();
  await page.locator('[data-testid="selftrain.row"][data-phase="meta"]').first().waitFor({ state: 'visible', timeout: 240_000 });
  const step = Number(await train.weightsTable.getAttribute('data-step'));
  const before = await train.weightsByText();
  await expect.poll(async () => Number(await train.weightsTable.getAttribute('data-step')), { timeout: 120_000 }).toBeGreaterThan(step);
  const after = await train.weightsByText();
  expect(after).not.toEqual(before);
  // The status line names the phase in words.
  await expect(train.byTestId('selftrain.view')).toContainText(/student step \d+ of 10 \(meta-reweighted\)/, { timeout: 120_000 });
  // Every text the student met shows its teacher's label and confidence.
  const labelShown = ([label, confidence]: [string, string]) => /^(positive|negative)$/.test(label) && /^\d+%$/.test(confidence);
  await expect.poll(async () => (await train.pseudoLabelCells()).map(labelShown), { timeout: 30_000 }).toEqual(after.map(() => true));
  await shotWhileTraining('selftrain-weights');
  await expect(train.byTestId('selftrain.accuracy')).toHaveAttribute('data-points', '1', { timeout: 240_000 });
  // With a round finished, the status line estimates the time left from it.
  await expect(train.byTestId('selftrain.view')).toContainText(/round 2 · .+ · (under a minute|about \d+ min) left/);
  await recordWindow('selfTrain', selfStart);
  await expect(train.byTestId('selftrain.classes')).toHaveAttribute('data-points', /[12]/);
  await expect(train.byTestId('selftrain.classes')).toContainText('left out (less confident)');
  await studio.screenshot('selftrain-round');

  // Reload in the middle of round 2, once its pseudo-labels are saved: labels intact; the run is interrupted and
  // resumes after round 1, charting round 2 once.
  await expect.poll(() => savedPseudoLabelRounds(page), { timeout: 60_000 }).toEqual([1, 2]);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Train', level: 1 })).toBeVisible();
  await expect(train.byTestId('train.panel')).toContainText('8 labelled · 8 unlabelled');
  const interrupted = page.locator('[data-testid="train.run"][data-status="interrupted"]');
  await expect(interrupted).toHaveCount(1);
  await expect(interrupted.getByTestId('train.run.resume')).toHaveText('Resume after round 1');
  await studio.screenshot('train-interrupted');
  await label.open();
  await expect(label.progress).toHaveText('8 of 16 labelled');
  await useModel();
  await train.open();
  await interrupted.getByTestId('train.run.resume').focus();
  const selfResumeStart = await now();
  await page.keyboard.press('Enter'); // keyboard-reachable
  await expect(page.locator('[data-testid="train.run"][data-kind="selfTrain"]')).toHaveAttribute('data-status', 'completed', { timeout: 240_000 });
  await recordWindow('selfTrainResumed', selfResumeStart);
  await expect(train.byTestId('selftrain.accuracy')).toHaveAttribute('data-points', '2');
  await expect(train.byTestId('selftrain.classes')).toHaveAttribute('data-points', '2');
  expect(await savedPseudoLabelRounds(page)).toEqual([1, 2]);
  // The charts draw what their data-points say (each is handed its rows in its own slot of the second).
  await expect(train.byTestId('selftrain.accuracy').locator('.recharts-xAxis .recharts-cartesian-axis-tick')).toHaveCount(2);
  await expect(train.byTestId('selftrain.classes').locator('.recharts-xAxis .recharts-cartesian-axis-tick')).toHaveCount(2);
  // The last round's weights stay on screen once the run has ended.
  await expect(train.weightsTable).toContainText(/\d+ pseudo-labelled texts in round 2; weights as of student step 10\./);
  await expect(page.locator('[data-testid="train.run"][data-kind="selfTrain"]').getByTestId('train.run.delta')).toBeVisible();
  await studio.screenshot('selftrain-resumed');
  // With runs, live charts and the weights table on it, the Train page passes axe-core's WCAG 2.1 AA checks.
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await studio.screenshot('train-dark');
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });

  // Reload in the middle of plain training: the run resumes from its last checkpoint (not step 0) and completes
  // with every step charted once.
  // (The reload above reset the form to its defaults: no early stopping here, so the run takes all 40 steps.)
  await train.field('training', 'maxSteps', 40);
  await train.field('training', 'batchSize', 4);
  await train.field('training', 'maxLength', 32);
  await train.field('training', 'patience', 0);
  const plainStart = await now();
  await train.byTestId('train.start').click();
  const plain = page.locator('[data-testid="train.run"][data-kind="train"]').first();
  await expect(plain).toHaveAttribute('data-status', 'running');
  await expect.poll(async () => Number(await plain.getAttribute('data-checkpoint-step')), { timeout: 240_000 }).toBeGreaterThan(0);
  await recordWindow('trainBeforeReload', plainStart);
  expect(Number(await plain.getAttribute('data-checkpoint-step'))).toBeLessThan(40);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Train', level: 1 })).toBeVisible();
  const cut = page.locator('[data-testid="train.run"][data-status="interrupted"]');
  await expect(cut).toHaveCount(1);
  await expect(cut).toHaveAttribute('data-kind', 'train');
  const savedStep = Number(await cut.getAttribute('data-checkpoint-step'));
  expect(savedStep).toBeGreaterThan(0);
  await expect(cut.getByTestId('train.run.resume')).toHaveText(`Resume from step ${savedStep}`);
  await expect(train.byTestId('train.panel')).toContainText('8 labelled · 8 unlabelled');
  await label.open();
  await expect(label.progress).toHaveText('8 of 16 labelled');
  await useModel();
  await train.open();
  await cut.getByTestId('train.run.resume').focus();
  const plainResumeStart = await now();
  await page.keyboard.press('Enter');
  const resumedRun = page.locator('[data-testid="train.run"][data-kind="train"]').first();
  await expect(resumedRun).toHaveAttribute('data-status', 'running');
  await expect(train.byTestId('train.progress')).toContainText(/step \d+ of 40/, { timeout: 240_000 });
  await expect(train.byTestId('train.progress')).toContainText(/step \d+ of 40 · (under a minute|about \d+ min) left/, { timeout: 60_000 }); // from the pace since the resume; patience 0, so "about"
  expect(Number((await train.byTestId('train.progress').textContent())?.match(/step (\d+)/)?.[1])).toBeGreaterThanOrEqual(savedStep); // not from 0
  await expect(resumedRun).toHaveAttribute('data-status', 'completed', { timeout: 240_000 });
  await recordWindow('trainResumed', plainResumeStart);
  expect(await train.points('chart.loss')).toBe(40); // the steps before the checkpoint kept, the rest recorded once
  await expect(resumedRun.getByTestId('train.run.delta')).toContainText('Delta saved (peft');
  await studio.screenshot('train-resumed');

  // Try: a typed text's probabilities; predictions for every unlabelled text, exported as CSV.
  await train.openTry();
  await expect(page.getByTestId('try.model')).toContainText('Answering: LoRA adapter, trained'); // the run just finished
  await page.getByTestId('try.text').fill('<b>Lovely</b> phone, great screen');
  await page.getByTestId('try.classify').click();
  await expect(page.getByTestId('try.prob')).toHaveCount(2);
  await expect(page.getByTestId('try.result.text')).toHaveText('<b>Lovely</b> phone, great screen');
  const probs = await page.getByTestId('try.prob').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-probability'))));
  expect(probs[0] + probs[1]).toBeCloseTo(1, 3);
  await page.getByTestId('predict.all').click();
  await expect(page.getByTestId('predict.row')).toHaveCount(8);
  const download = page.waitForEvent('download');
  await page.getByTestId('predict.export').click();
  const csv = readFileSync(await (await download).path(), 'utf8').trim().split(/\r\n/);
  expect(csv[0]).toBe('text,predicted,confidence,p_positive,p_negative');
  expect(csv).toHaveLength(9);
  await studio.screenshot('try');

  // The worker dies mid-run (simulated through the client's onerror, as a crash reports it): a clear message,
  // the run marked interrupted with a way back, and the labels untouched.
  await train.open();
  await train.field('training', 'maxSteps', 400);
  await train.byTestId('train.start').click();
  const crashed = page.locator('[data-testid="train.run"][data-kind="train"]').first();
  await expect(crashed).toHaveAttribute('data-status', 'running');
  await page.evaluate(() => {
    const client = window.__tabtune!.client as unknown as { worker: { onerror: (e: { message: string; preventDefault(): void }) => void } };
    client.worker.onerror({ message: 'simulated crash', preventDefault: () => undefined });
  });
  await expect(page.getByTestId('train.error')).toContainText('The worker running the model stopped in the middle of this run (simulated crash). Your labels');
  await expect(page.getByTestId('train.error')).toContainText('Reload the page, then press Resume');
  await expect(crashed).toHaveAttribute('data-status', 'interrupted');
  await expect(crashed.getByTestId('train.run.resume')).toHaveText(/^(Restart|Resume from step \d+)$/);
  await expect(train.byTestId('train.panel')).toContainText('8 labelled · 8 unlabelled');
  await studio.screenshot('train-worker-crashed');

  // Numbers for the report, then the requirement: no main-thread task of 100 ms or more while training.
  const speed = await page.evaluate(() => {
    const runs = window.__tabtune?.state().training.runs ?? [];
    const steps = runs.find((r) => r.kind === 'train')?.history.steps ?? [];
    const eps = steps.map((s) => Number(s.examplesPerSecond)).sort((a, b) => a - b);
    return { medianExamplesPerSecond: eps[Math.floor(eps.length / 2)] ?? null, steps: eps.length };
  });
  const longest = Object.fromEntries(Object.entries(windows).map(([name, tasks]) => [name, Math.max(0, ...tasks.map((t) => t.duration))]));
  const during = Object.values(windows).flat();
  const report = { project: testInfo.project.name, longestTaskMs: Math.max(0, ...during.map((t) => t.duration)), longestTaskMsByWindow: longest, longTasks: during.length, longTasksSinceLastReload: (await page.evaluate(() => window.__longTasks ?? [])).length, ...speed };
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, `${testInfo.project.name}-train-numbers.json`), JSON.stringify(report, null, 2));
  console.log(`[train.spec ${testInfo.project.name}] ${JSON.stringify(report)}`);
  expect(Object.keys(windows)).toEqual(['train', 'selfTrain', 'selfTrainResumed', 'trainBeforeReload', 'trainResumed']);
  expect(report.longestTaskMs, `long tasks while training: ${JSON.stringify(windows)}`).toBeLessThan(100);
});
