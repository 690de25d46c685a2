/** The tensors (Tabtune's names -> shapes) that a delta of `config` on `encoder` and its head have. */
import type { BertConfig } from '../../encoder/types';
import { createDelta, type MethodConfig } from '../registry';
import { headShapes } from './layout';

/**
 * Read off a fresh delta (created and freed at once: the methods are the one place that knows their tensors),
 * plus the head for `classes` labels. Throws what the method's create throws for a config it refuses.
 */
export function expectedTensorShapes(encoder: BertConfig, config: MethodConfig, classes: number): Map<string, number[]> {
  const delta = createDelta(encoder, config, 0);
  try {
    const shapes = new Map(Object.entries(delta.tensors()).map(([name, t]) => [name, [...t.shape]]));
    for (const [name, shape] of Object.entries(headShapes(encoder, classes))) shapes.set(name, shape);
    return shapes;
  } finally {
    delta.dispose();
  }
}
