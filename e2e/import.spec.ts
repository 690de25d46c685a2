/**
 * A 100,000-line file imports without freezing the page: parsing runs in the parse worker, storing runs in
 * chunks, and a PerformanceObserver ('longtask') on the page sees no main-thread task over 100 ms from the
 * moment the file is picked to the report. The progress bar moves through reading and saving.
 */
import { writeFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { BUNDLED_MODEL_ID } from './pages/StudioPage';
import { TasksPage } from './pages/TasksPage';

/** The longest main-thread task allowed while importing (the issue's "without freezing the page"). */
const LONG_TASK_LIMIT_MS = 100;

/**
 * No DOM snapshots or screencast in the trace, and waitFor (not expect) for elements not there yet: both would
 * run Playwright's own code on the page's main thread (a snapshot per action, an ARIA snapshot per retry), which
 * the long-task measurement would count against the studio.
 */
test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: false } });

test('100,000 lines import with no main-thread task over 100 ms', async ({ studio, backend }) => {
  const page = studio.page;
  const tasks = new TasksPage(page);
  await tasks.goto(backend);
  await tasks.create('Hundred thousand', ['yes', 'no']);
  // Measure the import alone: the encoder loading at start-up (its worker's messages, its first compile) is done.
  await expect(page.getByTestId('header.status')).toContainText(BUNDLED_MODEL_ID, { timeout: 240_000 });

  const lines = Array.from({ length: 100_000 }, (_, i) => `Line ${i}: a sentence of the big file, ${i % 2 ? 'yes' : 'no'}`);
  const content = `text,label\n${lines.map((l, i) => `"${l}",${i % 3 === 0 ? 'yes' : ''}`).join('\n')}\n`;

  // Long tasks from here on are recorded on the page.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __longTasks: number[] }).__longTasks = seen;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) seen.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  // From a path: a file given as bytes is built inside the page by Playwright, itself a long main-thread task.
  const file = test.info().outputPath('big.csv');
  writeFileSync(file, content);
  await tasks.byTestId('texts.file').setInputFiles(file);
  await expect(page.getByTestId('texts.columns')).toContainText('100000 rows');
  await tasks.byTestId('texts.columns.import').click();
  await page.locator('[data-testid="texts.progress"][data-phase="saving"]').waitFor({ state: 'attached' });
  await studio.screenshot('import-progress');
  await page.getByTestId('texts.report.added').waitFor({ state: 'attached', timeout: 180_000 });
  await expect(page.getByTestId('texts.report.added')).toHaveText('100000', { timeout: 180_000 });
  await expect(page.getByTestId('task.details.counts')).toHaveText('100000 texts · 33334 labelled');

  // Pasting after that still de-duplicates against all 100,000.
  await tasks.paste(['Line 5: a sentence of the big file, yes', 'A new one']);
  await expect(page.getByTestId('texts.report.added')).toHaveText('1');
  await expect(page.getByTestId('texts.report.duplicates')).toHaveText('1 duplicates not added');

  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  const longest = Math.max(0, ...longTasks);
  console.log(`[${test.info().project.name}] long tasks during a 100,000-line import: ${longTasks.length}, longest ${longest.toFixed(0)} ms`);
  test.info().annotations.push({ type: 'longest main-thread task (ms)', description: longest.toFixed(0) });
  expect(longest).toBeLessThanOrEqual(LONG_TASK_LIMIT_MS);
});
