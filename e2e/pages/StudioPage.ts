/** Page object for the studio shell and its encoder page. Specs talk to the studio only through this. */
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where specs save screenshots for a person to look at (gitignored). */
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '.artifacts');

/** The bundled encoder's id, as the Model panel shows it. */
export const BUNDLED_MODEL_ID = 'all-MiniLM-L6-v2';

export class StudioPage {
  readonly progress: Locator;
  readonly progressBar: Locator;
  readonly modelId: Locator;
  readonly backendSelect: Locator;
  readonly backendName: Locator;
  readonly tryInput: Locator;
  readonly embedButton: Locator;
  readonly matrix: Locator;
  readonly loadError: Locator;

  constructor(
    readonly page: Page,
    readonly backend: string,
    private readonly testInfo: TestInfo,
  ) {
    const id = (testId: string) => page.getByTestId(testId);
    this.progress = id('encoder.progress');
    this.progressBar = id('encoder.progress.bar');
    this.modelId = id('model.id');
    this.backendSelect = id('backend.select');
    this.backendName = id('backend.name');
    this.tryInput = id('try.input');
    this.embedButton = id('try.embed');
    this.matrix = id('try.matrix');
    this.loadError = id('encoder.error');
  }

  byTestId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  /** Opens the studio with this project's backend preference. */
  async goto(): Promise<void> {
    await this.page.goto(`/?backend=${this.backend}#/encoder`);
    await expect(this.page.getByRole('heading', { name: 'Encoder', level: 1 })).toBeVisible();
  }

  /** Waits until a model is loaded and the progress bar has finished. */
  async waitForModel(id = BUNDLED_MODEL_ID): Promise<void> {
    await expect(this.modelId).toHaveText(id, { timeout: 240_000 });
    await expect(this.progress).toHaveAttribute('data-state', 'done');
  }

  /** Embeds `texts` through the "try the encoder" panel; returns the similarity matrix shown. */
  async embed(texts: string[]): Promise<number[][]> {
    await this.tryInput.fill(texts.join('\n'));
    await expect(this.embedButton).toBeEnabled({ timeout: 240_000 });
    // The previous result stays on screen until the new one replaces it: wait for the run to finish.
    await this.embedButton.click();
    await expect(this.embedButton).toHaveText('Embed', { timeout: 240_000 });
    await expect(this.byTestId('try.error')).toHaveCount(0);
    await expect(this.matrix.getByRole('rowheader')).toHaveCount(texts.length);
    return this.readMatrix(texts.length);
  }

  async readMatrix(n: number): Promise<number[][]> {
    const cells = this.matrix.getByTestId('try.cell');
    await expect(cells).toHaveCount(n * n);
    const out = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
    for (const cell of await cells.all()) {
      const [row, col, score] = await Promise.all([cell.getAttribute('data-row'), cell.getAttribute('data-col'), cell.getAttribute('data-score')]);
      out[Number(row)][Number(col)] = Number(score);
    }
    return out;
  }

  /** Chooses a backend in the Backend panel and waits until the worker runs on it. */
  async overrideBackend(preference: 'auto' | 'webgpu' | 'wasm' | 'cpu', expected: string = preference): Promise<void> {
    await this.backendSelect.selectOption(preference);
    await expect(this.byTestId('backend.switching')).toHaveCount(0, { timeout: 240_000 });
    await expect(this.backendName).toHaveText(expected);
  }

  /** Loads a model by Hugging Face id through the Load panel. */
  async loadFromHub(modelId: string): Promise<void> {
    await this.byTestId('load.kind.hub').check();
    await this.byTestId('load.hub.id').fill(modelId);
    await this.byTestId('load.hub.submit').click();
  }

  /** Loads picked files through the Load panel. */
  async loadFiles(files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
    await this.byTestId('load.kind.files').check();
    await this.byTestId('load.files.input').setInputFiles(files);
    await this.byTestId('load.files.submit').click();
  }

  /** Saves a full-page screenshot to e2e/.artifacts/<project>-<name>.png. */
  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: this.artifactPath(name), fullPage: true });
  }

  /** e2e/.artifacts/<project>-<name>.png (the folder made), for screenshots of other pages too. */
  artifactPath(name: string): string {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    return join(ARTIFACTS_DIR, `${this.testInfo.project.name}-${name}.png`);
  }
}
