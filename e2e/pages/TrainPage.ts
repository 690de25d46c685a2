/** Page object for the Train and Try pages: the generated form, runs, charts, self-training view, predictions. */
import { expect, type Locator, type Page } from '@playwright/test';

export class TrainPage {
  readonly runs: Locator;
  readonly charts: Locator;
  readonly weightsTable: Locator;

  constructor(readonly page: Page) {
    this.runs = page.getByTestId('train.run');
    this.charts = page.getByTestId('train.charts');
    this.weightsTable = page.getByTestId('selftrain.table');
  }

  byTestId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.byTestId('nav.train').click();
    await expect(this.page.getByRole('heading', { name: 'Train', level: 1 })).toBeVisible();
  }

  async openTry(): Promise<void> {
    await this.byTestId('nav.try').click();
    await expect(this.page.getByRole('heading', { name: 'Try', level: 1 })).toBeVisible();
  }

  /** Sets generated-form fields, e.g. field('training', 'maxSteps', 12); opens folded sections as needed. */
  async field(group: string, name: string, value: number | string): Promise<void> {
    const input = this.byTestId(`train.field.${group}.${name}`);
    if (!(await input.isVisible())) {
      if (group === 'selfTrain' && !(await this.byTestId('train.field.selfTrain').isVisible())) await this.byTestId('train.selftrain.settings').click();
      if (!(await input.isVisible())) await this.byTestId(`train.field.${group}.advanced`).click();
    }
    await input.fill(String(value));
    await expect(input).toHaveValue(String(value));
  }

  run(index: number): Locator {
    return this.runs.nth(index);
  }

  /** Points drawn by a chart (its data-points attribute). */
  async points(chart: string): Promise<number> {
    return Number(await this.byTestId(chart).getAttribute('data-points'));
  }

  /** Each row's pseudo-label and confidence cells, as shown ('…' while the teacher's label has not come). */
  async pseudoLabelCells(): Promise<Array<[string, string]>> {
    return this.byTestId('selftrain.row').evaluateAll((rows) => rows.map((r) => [r.children[1]?.textContent ?? '', r.children[2]?.textContent ?? ''] as [string, string]));
  }

  /** The weights column of the pseudo-label table, sorted by text (a stable order to compare). */
  async weightsByText(): Promise<string[]> {
    await this.byTestId('selftrain.sort.text').click();
    const rows = await this.byTestId('selftrain.row').all();
    return Promise.all(rows.map(async (r) => `${await r.locator('td').first().textContent()}=${await r.getByTestId('selftrain.row.weight').textContent()}`));
  }
}
