/**
 * Files and sharing as a person uses them: adapters imported (real exports; wrong ones refused with a reason
 * and nothing lost), downloaded (the zip as stored) and deleted; a share link opened in a fresh browser
 * recreates the task with its labelled examples and adapter, HTML in it stays inert; tampered, cut and newer
 * links are refused; a task too large for a link goes as a task file, opened in another fresh browser.
 */
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from '@playwright/test';
import { fromBase64Url, toBase64Url } from '../src/share/base64url';
import { makeAdapterFiles, type AdapterFiles } from './adapterFiles';
import { axeViolations } from './axe';
import { expect, test } from './fixtures';
import { FilesPage } from './pages/FilesPage';
import { TasksPage } from './pages/TasksPage';
import { BUNDLED_MODEL_ID } from './pages/StudioPage';

const LABELS = ['positive', 'negative'];
const HTML_TEXT = '<img src=x onerror="window.__pwned = 1">Shiny review';
const CSV = ['text,label', '"Great phone, love it",positive', 'Terrible battery,negative', `"${HTML_TEXT.replace(/"/g, '""')}",positive`, 'Arrived on time,', ''].join('\n');
const HTML_TASK = 'Reviews <b>shared</b>';

let adapters: AdapterFiles;
test.beforeAll(async () => {
  adapters = await makeAdapterFiles(LABELS);
});

async function waitForEncoder(page: Page): Promise<void> {
  await expect(page.getByTestId('header.status')).toContainText(BUNDLED_MODEL_ID, { timeout: 240_000 });
}

/** A page in a fresh browser context: no tasks, no IndexedDB. */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

test('adapters: wrong ones refused, import, download, delete; a share link recreates the task in a fresh browser', async ({ studio, backend, browser }) => {
  const page = studio.page;
  const tasks = new TasksPage(page);
  const files = new FilesPage(page);
  await tasks.goto(backend);
  await tasks.create(HTML_TASK, ['positive: the writer is pleased', 'negative']);
  await tasks.upload('reviews.csv', CSV, 'text/csv');
  await tasks.importTable('text', 'label');
  await expect(page.getByTestId('task.details.counts')).toHaveText('4 texts · 3 labelled');
  await waitForEncoder(page);

  await files.open();
  await expect(files.byTestId('files.deltas.empty')).toBeVisible();

  // Wrong files: each says what happened and what to do, and nothing is kept.
  expect(await files.importRefused('tiny.zip', adapters.otherEncoder)).toBe('other-encoder');
  await expect(files.importError).toContainText('Load tiny-bert first');
  await studio.screenshot('files-import-other-encoder');
  expect(await files.importRefused('spam.zip', adapters.otherLabels)).toBe('other-labels');
  await expect(files.importError).toContainText('"spam", "ham", "unsure"');
  expect(await files.importRefused('cut.zip', adapters.truncated)).toBe('truncated');
  expect(await files.importRefused('notes.zip', adapters.notAnAdapter)).toBe('missing-file');
  await expect(files.importError).toContainText('not a delta exported by Tabtune');
  expect(await files.importRefused('photo.zip', Buffer.from('\x89PNG\r\n\x1a\nnot a zip at all'))).toBe('not-a-zip');
  await expect(files.deltas).toHaveCount(0);

  // Two good ones: the head, then LoRA (newest first in the list).
  await files.importAdapter('head.zip', adapters.head);
  await expect(files.deltas).toHaveCount(1);
  await files.importAdapter('lora.zip', adapters.lora);
  await expect(files.deltas).toHaveCount(2);
  await expect(files.importError).toHaveCount(0);
  await expect(files.deltas.first().getByTestId('files.delta.method')).toContainText('lora');
  await expect(files.deltas.first().getByTestId('files.delta.source')).toHaveText('imported file');
  await expect(files.deltas.first().getByTestId('files.delta.metrics')).toHaveText('accuracy 87.5%');
  await studio.screenshot('files');

  // Download: the zip as stored, under a sensible name, with the files peft reads.
  const [download] = await Promise.all([page.waitForEvent('download'), files.deltas.first().getByTestId('files.delta.download').click()]);
  expect(download.suggestedFilename()).toMatch(/^Reviews -b-shared-b-lora-\d{4}-\d\d-\d\d\.zip$/);
  const zip = readFileSync(await download.path());
  expect(zip.equals(adapters.lora)).toBe(true);
  const inside = unzipSync(new Uint8Array(zip));
  expect(Object.keys(inside).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors', 'tabtune.json']);
  expect(JSON.parse(strFromU8(inside['adapter_config.json']))).toMatchObject({ peft_type: 'LORA', r: 4 });
  expect(JSON.parse(strFromU8(inside['tabtune.json'])).task.labels).toEqual(LABELS);

  // The link while LoRA is the latest: LoRA is too big for a link, so it is left out and the person is told.
  const withoutAdapter = await files.makeLink();
  await expect(files.byTestId('share.summary')).toContainText('3 labelled examples');
  await expect(files.byTestId('share.summary')).toContainText('left out');

  // Delete LoRA (asked first; "Keep it" keeps it).
  await files.deltas.first().getByTestId('files.delta.delete').click();
  await files.byTestId('files.delta.delete.no').click();
  await expect(files.deltas).toHaveCount(2);
  await files.deltas.first().getByTestId('files.delta.delete').click();
  await expect(files.byTestId('files.delta.confirm')).toBeVisible();
  await studio.screenshot('files-delete-confirm');
  expect(await axeViolations(page)).toEqual([]); // the confirmation, as axe-core sees it
  await files.byTestId('files.delta.delete.yes').click();
  await expect(files.deltas).toHaveCount(1);
  await page.reload();
  await expect(files.deltas).toHaveCount(1);
  await expect(files.deltas.first().getByTestId('files.delta.method')).toContainText('head');

  // Now the head is the latest, and it fits in the link.
  const link = await files.makeLink();
  expect(link).not.toBe(withoutAdapter);
  expect(link).toContain('#share=');
  await expect(files.byTestId('share.summary')).toHaveText('It carries 3 labelled examples and the latest adapter.');
  await studio.screenshot('share-link');

  // A fresh browser opens the link: the task, its labelled examples and its adapter are there.
  const other = await freshPage(browser);
  await other.goto(link);
  await expect(other.getByTestId('open-shared.opened')).toContainText(`new task ${HTML_TASK} with 3 labelled examples and its adapter`);
  await expect(new TasksPage(other).details.getByRole('heading', { name: HTML_TASK, level: 2 })).toBeVisible();
  await expect(other.getByTestId('task.details.counts')).toHaveText('3 texts · 3 labelled');
  await expect(other.getByTestId('task.details.labels')).toContainText('the writer is pleased');
  expect(new URL(other.url()).hash).toBe('#/tasks'); // a reload will not open it again
  await other.getByTestId('nav.label').click();
  await expect(other.getByTestId('table.row').filter({ hasText: HTML_TEXT })).toHaveCount(1);
  await expect(other.locator('main img')).toHaveCount(0);
  expect(await other.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  const otherFiles = new FilesPage(other);
  await otherFiles.open();
  await expect(otherFiles.deltas).toHaveCount(1);
  await expect(otherFiles.deltas.first().getByTestId('files.delta.source')).toHaveText('share link');
  await other.screenshot({ path: studio.artifactPath('share-opened-files') });

  // The same link again: a second task beside the first, which is untouched.
  await other.goto(link);
  await expect(other.getByTestId('open-shared.opened')).toContainText(`You already had a task named "${HTML_TASK}"; it is untouched.`);
  await expect(other.getByTestId('task.list.item')).toHaveCount(2);
  await expect(other.getByTestId('task.list.item').nth(1)).toContainText(`${HTML_TASK} (shared)`);
  await other.screenshot({ path: studio.artifactPath('share-opened-twice') });

  // Bad links: each refused with what happened, and the two tasks stay as they were.
  const start = link.indexOf('#share=') + '#share='.length;
  const middle = start + Math.floor((link.length - start) / 2);
  const tampered = link.slice(0, middle) + (link[middle] === 'A' ? 'B' : 'A') + link.slice(middle + 1);
  const cut = link.slice(0, start + 4 * Math.floor((link.length - start) / 8));
  const bytes = fromBase64Url(link.slice(start))!;
  bytes[4] = 99; // the format version
  const newer = link.slice(0, start) + toBase64Url(bytes);
  const cases: Array<[string, string, string]> = [
    [tampered, 'damaged', 'changed or damaged after it was made'],
    [cut, 'truncated', 'is cut off'],
    [newer, 'newer-version', 'made by a newer Tabtune'],
    ['https://example.com/#/tasks', 'not-a-share', 'not a Tabtune share link'],
  ];
  for (const [bad, code, words] of cases) {
    await FilesPage.pasteLink(other, bad);
    await expect(other.getByTestId('open-shared.error.code')).toHaveText(code);
    await expect(other.getByTestId('open-shared.error')).toContainText(words);
    await expect(other.getByTestId('open-shared.error')).toContainText('Nothing was changed');
    if (code === 'damaged') await other.screenshot({ path: studio.artifactPath('share-tampered') });
  }
  await other.emulateMedia({ colorScheme: 'dark' });
  await other.screenshot({ path: studio.artifactPath('share-error-dark') });
  await expect(other.getByTestId('task.list.item')).toHaveCount(2);
  await other.reload();
  await expect(other.getByTestId('task.list.item')).toHaveCount(2);
  await other.context().close();
});

test('a task too large for a link goes as a task file, opened in a fresh browser; a damaged file is refused', async ({ studio, backend, browser }) => {
  const page = studio.page;
  const tasks = new TasksPage(page);
  const files = new FilesPage(page);
  await tasks.goto(backend);
  await tasks.create('Big shared', ['yes', 'no']);
  let seed = 7;
  const word = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed.toString(36));
  const rows = Array.from({ length: 3000 }, (_, i) => `${word()} ${word()} ${word()} ${i},${i % 2 ? 'yes' : 'no'}`);
  await tasks.upload('big.csv', `text,label\n${rows.join('\n')}\n`, 'text/csv');
  await tasks.importTable('text', 'label');
  await expect(page.getByTestId('task.details.counts')).toHaveText('3000 texts · 3000 labelled');

  await files.open();
  await files.byTestId('share.make').click();
  await expect(files.byTestId('share.too-large')).toContainText('too large for a link');
  await expect(files.shareLink).toHaveCount(0);
  await studio.screenshot('share-too-large');
  const [download] = await Promise.all([page.waitForEvent('download'), files.byTestId('share.too-large.file').click()]);
  expect(download.suggestedFilename()).toBe('Big shared.tabtune');
  const taskFile = readFileSync(await download.path());

  const other = await freshPage(browser);
  await other.goto(new URL(`/?backend=${backend}#/tasks`, page.url()).href);
  // A damaged copy first: refused, nothing created.
  await other.getByTestId('open-shared.file').setInputFiles({ name: 'Big shared.tabtune', mimeType: 'application/octet-stream', buffer: taskFile.subarray(0, taskFile.length - 100) });
  await expect(other.getByTestId('open-shared.error.code')).toHaveText('truncated');
  await expect(other.getByTestId('task.list.item')).toHaveCount(0);
  // Then the file as downloaded.
  await other.getByTestId('open-shared.file').setInputFiles({ name: 'Big shared.tabtune', mimeType: 'application/octet-stream', buffer: taskFile });
  await expect(other.getByTestId('open-shared.opened')).toContainText('Big shared');
  await expect(other.getByTestId('task.details.counts')).toHaveText('3000 texts · 3000 labelled');
  await expect(other.getByTestId('open-shared.error')).toHaveCount(0);
  await other.screenshot({ path: studio.artifactPath('task-file-opened') });
  await other.context().close();
});
