/** Page object for the Files page (adapters, import, share) and the Tasks page's "Open a shared task" panel. */
import { expect, type Locator, type Page } from '@playwright/test';

export class FilesPage {
  readonly deltas: Locator;
  readonly importError: Locator;
  readonly shareLink: Locator;

  constructor(readonly page: Page) {
    this.deltas = page.getByTestId('files.delta');
    this.importError = page.getByTestId('files.import.error');
    this.shareLink = page.getByTestId('share.link');
  }

  byTestId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav.files').click();
    await expect(this.page.getByRole('heading', { name: 'Files', level: 1 })).toBeVisible();
  }

  /** Picks an adapter file; waits until the check has finished. */
  async importAdapter(name: string, buffer: Buffer): Promise<void> {
    await this.byTestId('files.import.input').setInputFiles({ name, mimeType: 'application/zip', buffer });
    await expect(this.page.getByText('Checking the adapter…')).toHaveCount(0, { timeout: 120_000 });
  }

  /** Imports a wrong file and returns the error code shown. */
  async importRefused(name: string, buffer: Buffer): Promise<string> {
    await this.importAdapter(name, buffer);
    await expect(this.importError).toBeVisible();
    return (await this.byTestId('files.import.error.code').textContent()) ?? '';
  }

  async makeLink(): Promise<string> {
    await this.byTestId('share.make').click();
    await expect(this.shareLink).toBeVisible();
    return this.shareLink.inputValue();
  }

  /** Pastes a link into the Tasks page's "Open a shared task" panel. */
  static async pasteLink(page: Page, link: string): Promise<void> {
    await page.getByTestId('nav.tasks').click();
    await page.getByTestId('open-shared.link').fill(link);
    await page.getByTestId('open-shared.open').click();
  }
}
