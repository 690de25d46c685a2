/** Page object for the Tasks page: the task list, the new-task form, the open task and adding its texts. */
import { expect, type Locator, type Page } from '@playwright/test';

export class TasksPage {
  readonly list: Locator;
  readonly items: Locator;
  readonly details: Locator;
  readonly report: Locator;
  readonly importError: Locator;
  readonly storageUsed: Locator;

  constructor(readonly page: Page) {
    this.list = page.getByTestId('task.list');
    this.items = page.getByTestId('task.list.item');
    this.details = page.getByTestId('task.details');
    this.report = page.getByTestId('texts.report');
    this.importError = page.getByTestId('texts.error');
    this.storageUsed = page.getByTestId('storage.used');
  }

  byTestId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async goto(backend: string): Promise<void> {
    await this.page.goto(`/?backend=${backend}#/tasks`);
    await expect(this.page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  }

  /** Creates a task; labels are "name" or "name: description". */
  async create(name: string, labels: string[], screenshot?: () => Promise<void>): Promise<void> {
    if (await this.byTestId('task.form').count() === 0) await this.byTestId('task.new').click();
    await this.byTestId('task.name').fill(name);
    await this.byTestId('task.labels').fill(labels.join('\n'));
    if (screenshot) await screenshot();
    await this.byTestId('task.create').click();
    await expect(this.details.getByRole('heading', { name, level: 2 })).toBeVisible();
  }

  async paste(texts: string[]): Promise<void> {
    await this.byTestId('texts.paste').fill(texts.join('\n'));
    await this.byTestId('texts.paste.add').click();
    await expect(this.report).toBeVisible();
  }

  async upload(name: string, content: string | Buffer, mimeType = 'text/plain'): Promise<void> {
    const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await this.byTestId('texts.file').setInputFiles({ name, mimeType, buffer });
  }

  /** Chooses a table's columns by header name and imports it. */
  async importTable(textColumn: string, labelColumn: string | null): Promise<void> {
    await this.byTestId('texts.columns.text').selectOption({ label: textColumn });
    await this.byTestId('texts.columns.label').selectOption({ label: labelColumn ?? 'None' });
    await this.byTestId('texts.columns.import').click();
    await expect(this.report).toBeVisible();
  }

  async open(name: string): Promise<void> {
    await this.items.filter({ hasText: name }).click();
    await expect(this.details.getByRole('heading', { name, level: 2 })).toBeVisible();
  }

  async rename(to: string): Promise<void> {
    await this.byTestId('task.rename').click();
    await this.byTestId('task.rename.input').fill(to);
    await this.byTestId('task.rename.save').click();
    await expect(this.details.getByRole('heading', { name: to, level: 2 })).toBeVisible();
  }

  async duplicate(): Promise<void> {
    const count = await this.items.count();
    await this.byTestId('task.duplicate').click();
    await expect(this.items).toHaveCount(count + 1);
  }

  async deleteOpen(): Promise<void> {
    const count = await this.items.count();
    await this.byTestId('task.delete').click();
    await expect(this.byTestId('task.delete.confirm')).toBeVisible();
    await this.byTestId('task.delete.yes').click();
    await expect(this.items).toHaveCount(count - 1);
  }
}
