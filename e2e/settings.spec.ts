/**
 * The training form belongs to its task: what a person sets (a student preset included) survives a reload, another
 * task keeps its own, and a share link carries the settings to a fresh browser, where the recreated task's form
 * shows them.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { FilesPage } from './pages/FilesPage';
import { BUNDLED_MODEL_ID } from './pages/StudioPage';
import { TasksPage } from './pages/TasksPage';
import { TrainPage } from './pages/TrainPage';

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

test('training settings are kept per task, across a reload and through a share link', async ({ studio, backend, browser }) => {
  const page = studio.page;
  const tasks = new TasksPage(page);
  const train = new TrainPage(page);
  await tasks.goto(backend);
  await tasks.create('Settings kept', ['good', 'bad']);
  await tasks.paste(['a fine day', 'a poor day', 'an unlabelled day']);

  await train.open();
  await train.byTestId('train.method').selectOption('bottleneck');
  await train.field('training', 'maxSteps', 17);
  await expect(page.getByTestId('train.field.training.maxSteps')).toHaveValue('17');
  // A task starts with LiST's student; one click gives it the measured one, and LiST's is no longer pressed.
  await train.byTestId('train.selftrain.settings').click();
  await expect(train.byTestId('train.selftrain.preset.list')).toHaveAttribute('aria-pressed', 'true');
  await train.byTestId('train.selftrain.preset.measured').click();
  await expect(train.byTestId('train.selftrain.preset.measured')).toHaveAttribute('aria-pressed', 'true');
  await expect(train.byTestId('train.selftrain.preset.list')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('train.field.selfTrain.studentSteps')).toHaveValue('150');
  await expect(page.getByTestId('train.field.selfTrain.unlabeledPerRound')).toHaveValue('2000');
  await expect(page.getByTestId('train.field.selfTrain.softLabels')).not.toBeChecked();
  await studio.screenshot('student-presets');
  // Changing one of its knobs makes it the person's own student.
  await train.field('selfTrain', 'studentSteps', 120);
  await expect(train.byTestId('train.selftrain.preset.none')).toBeVisible();
  await train.byTestId('train.selftrain.preset.measured').click();
  await expect(page.getByTestId('train.field.selfTrain.studentSteps')).toHaveValue('150');

  // Another task starts from the defaults, and does not change the first one's settings.
  await tasks.goto(backend);
  await tasks.create('Other task', ['x', 'y']);
  await train.open();
  await expect(train.byTestId('train.method')).toHaveValue('lora');
  await expect(page.getByTestId('train.field.training.maxSteps')).toHaveValue('0');
  await expect(train.byTestId('train.selftrain.preset.list')).toHaveAttribute('aria-pressed', 'true');
  // Each method starts at its own learning rate; one the person typed stays when the method changes.
  const lr = page.getByTestId('train.field.training.lr');
  await expect(lr).toHaveValue('0.003');
  // Methods are picked by name (what each trains is said under the picker), knobs labelled in words, not by their
  // config keys ('lr', 'r').
  await expect(train.byTestId('train.method').locator('option:checked')).toHaveText('LoRA');
  await expect(page.getByRole('heading', { name: 'LoRA settings' })).toBeVisible();
  await expect(page.getByLabel('Learning rate', { exact: true })).toHaveAttribute('data-testid', 'train.field.training.lr');
  await expect(page.getByLabel('Rank (r)', { exact: true })).toHaveAttribute('data-testid', 'train.field.lora.r');
  await train.byTestId('train.method').selectOption('head');
  await expect(lr).toHaveValue('0.1');
  await train.byTestId('train.method').selectOption('lora');
  await expect(lr).toHaveValue('0.003');
  await train.field('training', 'lr', 0.005);
  await train.byTestId('train.method').selectOption('head');
  await expect(lr).toHaveValue('0.005');

  await page.reload();
  await expect(page.getByTestId('header.status')).toContainText(BUNDLED_MODEL_ID, { timeout: 240_000 });
  await tasks.goto(backend);
  await tasks.open('Settings kept');
  await train.open();
  await expect(train.byTestId('train.method')).toHaveValue('bottleneck');
  await expect(page.getByTestId('train.field.training.maxSteps')).toHaveValue('17');
  await expect(train.byTestId('train.selftrain.preset.measured')).toHaveAttribute('aria-pressed', 'true');
  await studio.screenshot('settings-after-reload');

  // The link carries them (no run yet, so the task's own settings) to a fresh browser.
  const files = new FilesPage(page);
  await files.open();
  const link = await files.makeLink();
  const other = await freshPage(browser);
  await other.goto(link);
  await expect(other.getByTestId('open-shared.opened')).toContainText('Settings kept');
  const otherTrain = new TrainPage(other);
  await otherTrain.open();
  await expect(otherTrain.byTestId('train.method')).toHaveValue('bottleneck');
  await expect(other.getByTestId('train.field.training.maxSteps')).toHaveValue('17');
  await expect(otherTrain.byTestId('train.selftrain.preset.measured')).toHaveAttribute('aria-pressed', 'true');
  await other.context().close();
});
