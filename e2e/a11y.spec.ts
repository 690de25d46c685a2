/**
 * Every page of the studio, checked by axe-core (WCAG 2.1 A and AA rules) in light and dark mode, with content on
 * it: a task with labels and texts, some labelled, the training form with its advanced and self-training settings
 * open, the Try page, the files page, the encoder page (the Train page with runs, charts and the weights table is
 * checked in train.spec.ts). A violation fails the test with axe's own account of it (rule, impact, the element).
 */
import type { Page } from '@playwright/test';
import { axeViolations } from './axe';
import { expect, test } from './fixtures';
import { FilesPage } from './pages/FilesPage';
import { LabelPage } from './pages/LabelPage';
import { TasksPage } from './pages/TasksPage';
import { TrainPage } from './pages/TrainPage';

/** The page in both colour schemes. */
async function inBothSchemes(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await axeViolations(page)).map((v) => `${name}, ${colorScheme}: ${v}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

test("every page passes axe-core's WCAG 2.1 AA checks, in light and dark mode", async ({ studio, backend }) => {
  const page = studio.page;
  const tasks = new TasksPage(page);
  const label = new LabelPage(page);
  const train = new TrainPage(page);
  const files = new FilesPage(page);
  const found: string[] = [];

  await tasks.goto(backend);
  await tasks.create('Reviews', ['positive', 'negative']);
  await tasks.paste(['Lovely phone', 'Awful battery', 'Fine screen', 'Slow camera', 'Great value']);
  found.push(...(await inBothSchemes(page, 'Tasks')));

  await label.open();
  await label.press('1', '1 of 5 labelled');
  await label.press('2', '2 of 5 labelled');
  found.push(...(await inBothSchemes(page, 'Label')));

  await train.open();
  await page.getByText(/^Advanced settings/).first().click();
  await train.byTestId('train.selftrain.settings').click();
  found.push(...(await inBothSchemes(page, 'Train')));

  await train.openTry();
  found.push(...(await inBothSchemes(page, 'Try')));

  await files.open();
  found.push(...(await inBothSchemes(page, 'Files')));

  await studio.goto();
  await studio.waitForModel();
  found.push(...(await inBothSchemes(page, 'Encoder')));

  expect(found).toEqual([]);
});

test('the check finds what it should: an image without alt text, an empty button, faint text', async ({ studio, backend }) => {
  const page = studio.page;
  await new TasksPage(page).goto(backend);
  expect(await axeViolations(page)).toEqual([]);
  await page.evaluate(() => {
    const main = document.querySelector('main')!;
    const img = document.createElement('img');
    img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    const button = document.createElement('button');
    const faint = document.createElement('p');
    faint.textContent = 'hard to read';
    faint.style.color = '#e8e8e8';
    main.append(img, button, faint);
  });
  const found = await axeViolations(page);
  expect(found.map((v) => v.split(' ')[0]).sort()).toEqual(['button-name', 'color-contrast', 'image-alt']);
  expect(found.find((v) => v.startsWith('color-contrast'))).toMatch(/insufficient color contrast/);
});
