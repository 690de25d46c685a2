/**
 * The first part of a person's journey: a task with two labels, texts from a CSV and a paste, labelling with
 * the keyboard (undo, skip), a fix in the table, and everything still there after a reload. Text with HTML in
 * it stays text; a malformed CSV line and a binary file are reported.
 */
import { axeViolations } from './axe';
import { expect, test } from './fixtures';
import { LabelPage } from './pages/LabelPage';
import { TasksPage } from './pages/TasksPage';

const CSV = [
  'id,review,sentiment',
  '1,"Great phone, love it",positive',
  '2,Terrible battery,NEGATIVE',
  '3,"too",many,fields,here',
  '4,"The screen is ""fine"", I guess",',
  '5,Arrived on time,',
  '6,"Two',
  'lines",',
  '7,Box was dented,',
].join('\r\n');

const SCRIPT_TEXT = '<script>window.__pwned = 1</script>Sneaky review';
const IMG_TEXT = '<img src=x onerror="window.__pwned = 2">Picture review';
const PASTED = ['Battery lasts two days', SCRIPT_TEXT, '', 'Terrible battery', IMG_TEXT, 'Support never answered', 'Would buy again'];

test('tasks, texts and keyboard labelling survive a reload; HTML stays inert', async ({ studio, backend }) => {
  const page = studio.page;
  const tasks = new TasksPage(page);
  const label = new LabelPage(page);
  await tasks.goto(backend);

  await tasks.create('Reviews', ['positive: the writer is pleased', 'negative'], () => studio.screenshot('task-new'));
  await expect(tasks.storageUsed).toContainText('Storage used');

  // A CSV: choose the text and label columns; a row with too many fields is reported by its line.
  await tasks.upload('reviews.csv', CSV, 'text/csv');
  await expect(page.getByTestId('texts.columns.preview')).toBeVisible();
  await studio.screenshot('csv-columns');
  expect(await axeViolations(page)).toEqual([]); // the column picker and its preview table
  await tasks.importTable('review', 'sentiment');
  await expect(page.getByTestId('texts.report.added')).toHaveText('6');
  await expect(tasks.report).toContainText('2 with a label');
  await expect(page.getByTestId('texts.report.malformed')).toContainText('line 4 (expected 3 fields, found 5)');

  // Paste 5 new texts; the empty line and the repeat are counted, not silently dropped.
  await tasks.paste(PASTED);
  await expect(page.getByTestId('texts.report.added')).toHaveText('5');
  await expect(page.getByTestId('texts.report.duplicates')).toHaveText('1 duplicates not added');
  await expect(page.getByTestId('texts.report.empty')).toHaveText('1 empty lines skipped');
  await expect(page.getByTestId('task.details.counts')).toHaveText('11 texts · 2 labelled');

  // A binary file is refused with a clear message.
  await tasks.upload('photo.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]), 'text/csv');
  await expect(tasks.importError).toContainText('looks like a binary file');
  await studio.screenshot('tasks');

  // Label with the keyboard: 8 labels, Backspace undoes the last, S skips.
  await label.open();
  await expect(label.progress).toHaveText('2 of 11 labelled');
  const keys = ['1', '2', '1', '2', '1', '2', '1', '2'];
  for (const [i, key] of keys.entries()) await label.press(key, `${3 + i} of 11 labelled`);
  const afterEight = await label.shownText();
  await label.press('Backspace', '9 of 11 labelled');
  const undone = await label.shownText();
  expect(undone).not.toBe(afterEight);
  await label.press('s', '9 of 11 labelled · 1 skipped');
  expect(await label.shownText()).toBe(afterEight);
  await label.press('1', '10 of 11 labelled · 1 skipped');
  await label.press('2'); // no text left: nothing happens
  await expect(label.progress).toHaveText('10 of 11 labelled · 1 skipped');
  await expect(label.done).toBeVisible();
  await studio.screenshot('label-done');

  // Fix one label in the table; filter by label.
  await label.fixLabel('Terrible battery', 'positive');
  await label.filter.selectOption({ label: 'Unlabelled' });
  await expect(label.rows).toHaveCount(1);
  await expect(label.rows.first()).toContainText(undone);
  await label.filter.selectOption({ label: 'All' });

  // HTML in a text is shown as text and never runs.
  await expect(label.rows.filter({ hasText: '<script>' })).toHaveCount(1);
  await expect(label.rows.filter({ hasText: '<img src=x onerror' })).toHaveCount(1);
  await expect(page.locator('main img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await studio.screenshot('label-table');

  // Reload: everything is still there.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Label', level: 1 })).toBeVisible();
  await expect(label.progress).toHaveText('10 of 11 labelled');
  await expect(label.text).toHaveText(undone);
  await expect(label.rowLabel('Terrible battery')).toHaveText('positive');
  await expect(label.rowLabel('Great phone, love it')).toHaveText('positive');
  await expect(label.rows.filter({ hasText: 'Two\nlines' })).toHaveCount(1);
  await expect(label.rows.filter({ hasText: 'The screen is "fine", I guess' })).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.emulateMedia({ colorScheme: 'dark' });
  await studio.screenshot('label-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Duplicate, rename and delete (with confirmation) side by side with the original.
  await page.getByTestId('nav.tasks').click();
  await expect(tasks.details.getByRole('heading', { name: 'Reviews', level: 2 })).toBeVisible();
  await tasks.duplicate();
  await expect(tasks.details.getByRole('heading', { name: 'Reviews (copy)', level: 2 })).toBeVisible();
  await expect(page.getByTestId('task.details.counts')).toHaveText('11 texts · 10 labelled');
  await tasks.rename('Reviews, second try');
  await page.getByTestId('task.delete').click();
  await page.getByTestId('task.delete.no').click();
  await expect(tasks.items).toHaveCount(2);
  await tasks.deleteOpen();
  await expect(tasks.items).toHaveText([/Reviews/]);
  await page.reload();
  await expect(tasks.items).toHaveCount(1);
  await expect(tasks.details.getByRole('heading', { name: 'Reviews', level: 2 })).toBeVisible();
  await expect(page.getByTestId('task.details.counts')).toHaveText('11 texts · 10 labelled');
  await studio.screenshot('tasks-after-reload');
});

test('100,000 lines import with a progress bar; a full disk is reported and loses nothing', async ({ studio, backend }) => {
  const page = studio.page;
  const tasks = new TasksPage(page);
  await tasks.goto(backend);
  await tasks.create('Big', ['yes', 'no']);

  const lines = Array.from({ length: 100_000 }, (_, i) => `Sentence number ${i} of the big file`);
  await tasks.upload('big.txt', `${lines.join('\n')}\n`);
  await expect(page.getByTestId('texts.progress')).toBeVisible();
  await expect(page.getByTestId('texts.report.added')).toHaveText('100000', { timeout: 120_000 });
  await expect(page.getByTestId('task.details.counts')).toHaveText('100000 texts · 0 labelled');

  // JSON Lines, with a label and a broken line.
  await tasks.upload('more.jsonl', '{"text": "A JSON line", "label": "yes"}\n{"text": broken\n{"text": "Sentence number 7 of the big file"}\n');
  await expect(page.getByTestId('texts.report.added')).toHaveText('1');
  await expect(page.getByTestId('texts.report.duplicates')).toHaveText('1 duplicates not added');
  await expect(page.getByTestId('texts.report.malformed')).toContainText('line 2 (not valid JSON)');
  await expect(page.getByTestId('task.details.counts')).toHaveText('100001 texts · 1 labelled');

  // Every write now fails as a full disk would, in the page and in the parse worker (which stores imported
  // texts; a fresh one loads the patched script): a clear message, and what was saved stays saved.
  const fullDisk = `{ const quota = () => { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
    IDBObjectStore.prototype.put = quota; IDBObjectStore.prototype.add = quota; }`;
  await page.route('**/parse.worker*.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: `${fullDisk}\n${await response.text()}` });
  });
  await page.reload();
  await expect(page.getByTestId('task.details.counts')).toHaveText('100001 texts · 1 labelled');
  await page.evaluate(fullDisk);
  await page.getByTestId('texts.paste').fill('one more\nand another');
  await page.getByTestId('texts.paste.add').click();
  await expect(tasks.importError).toContainText('no room left');
  await expect(tasks.importError).toContainText('StorageFullError');
  await expect(page.getByTestId('texts.paste')).toHaveValue('one more\nand another'); // still there to retry
  await page.getByTestId('task.rename').click();
  await page.getByTestId('task.rename.input').fill('Renamed on a full disk');
  await page.getByTestId('task.rename.save').click();
  await expect(page.getByTestId('storage.error')).toContainText('no room left');
  await studio.screenshot('storage-full');
  expect(await axeViolations(page)).toEqual([]); // two error messages on the page

  await page.reload();
  await expect(tasks.details.getByRole('heading', { name: 'Big', level: 2 })).toBeVisible();
  await expect(page.getByTestId('task.details.counts')).toHaveText('100001 texts · 1 labelled');
});
