/**
 * Sums per-file byte counts into LoadProgress events over the whole load.
 *
 * `total` is the sum of the sizes known so far: all of them up front when the checkpoint has a manifest.json,
 * otherwise each file's Content-Length as its response arrives (so `total` can grow while loading, and a file
 * served without a length counts as its bytes received so far). `loaded` never exceeds `total`.
 */
import type { LoadProgress } from '../types';

export class ProgressTracker {
  private readonly files = new Map<string, { loaded: number; total: number }>();

  constructor(private readonly onProgress?: (p: LoadProgress) => void) {}

  /** Records a file's size as soon as it is known (manifest entry or Content-Length). Emits nothing. */
  expect(file: string, total: number): void {
    this.entry(file).total = total;
  }

  /** Records bytes read for `file` and emits the summed progress. */
  update(file: string, loaded: number, fromCache: boolean): void {
    this.entry(file).loaded = loaded;
    if (!this.onProgress) return;
    let sumLoaded = 0;
    let sumTotal = 0;
    for (const f of this.files.values()) {
      sumLoaded += f.loaded;
      sumTotal += Math.max(f.total, f.loaded);
    }
    this.onProgress({ file, loaded: sumLoaded, total: sumTotal, fromCache });
  }

  /** Forgets a file (absent, or evicted and about to be read again). */
  forget(file: string): void {
    this.files.delete(file);
  }

  private entry(file: string): { loaded: number; total: number } {
    let entry = this.files.get(file);
    if (!entry) this.files.set(file, (entry = { loaded: 0, total: 0 }));
    return entry;
  }
}
