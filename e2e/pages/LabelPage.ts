/** Page object for the Label page: one text at a time with keyboard shortcuts, and the table of all texts. */
import { expect, type Locator, type Page } from '@playwright/test';

export class LabelPage {
  readonly progress: Locator;
  readonly text: Locator;
  readonly done: Locator;
  readonly rows: Locator;
  readonly search: Locator;
  readonly filter: Locator;

  constructor(readonly page: Page) {
    this.progress = page.getByTestId('label.progress');
    this.text = page.getByTestId('label.text');
    this.done = page.getByTestId('label.done');
    this.rows = page.getByTestId('table.row');
    this.search = page.getByTestId('table.search');
    this.filter = page.getByTestId('table.filter');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav.label').click();
    await expect(this.page.getByRole('heading', { name: 'Label', level: 1 })).toBeVisible();
  }

  /** Presses a shortcut with focus on the page (not in a field), and waits for the progress line to say `then`. */
  async press(key: string, then?: RegExp | string): Promise<void> {
    await this.page.keyboard.press(key);
    if (then !== undefined) await expect(this.progress).toHaveText(then);
  }

  async shownText(): Promise<string> {
    return (await this.text.textContent()) ?? '';
  }

  /** Finds a row by its text and sets its label from the table. */
  async fixLabel(text: string, label: string): Promise<void> {
    await this.search.fill(text);
    const row = this.rows.filter({ hasText: text });
    await expect(row).toHaveCount(1);
    await row.getByTestId('table.row.label').selectOption({ label });
    await expect(row.getByTestId('table.row.label').locator('option:checked')).toHaveText(label);
    await this.search.fill('');
  }

  rowLabel(text: string): Locator {
    return this.rows.filter({ hasText: text }).getByTestId('table.row.label').locator('option:checked');
  }
}
