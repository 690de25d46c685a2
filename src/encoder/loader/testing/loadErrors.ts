/** Test helpers: the ModelLoadError a call throws (or rejects with); anything else fails the test. */
import { ModelLoadError } from '../../errors';

export function loadErrorOf(fn: () => unknown): ModelLoadError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ModelLoadError) return err;
    throw err;
  }
  throw new Error('expected a ModelLoadError');
}

export async function loadErrorFrom(promise: Promise<unknown>): Promise<ModelLoadError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (err instanceof ModelLoadError) return err;
  throw new Error(`expected a ModelLoadError, got ${String(err)}`);
}
