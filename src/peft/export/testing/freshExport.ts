/**
 * A real exported delta for tests that need an adapter file but no training: a fresh delta of `config` (the
 * identity) and a seeded random head on `encoder`, through exportDelta. Used by the share codec's tests and by
 * the e2e specs (which export for the bundled MiniLM's config and fingerprint). Needs a tfjs backend (cpu).
 */
import type { BertConfig, PoolingConfig } from '../../../encoder/types';
import { HEAD_TENSOR_NAMES, LinearHead } from '../../head';
import { createDelta, type MethodConfig } from '../../registry';
import { exportDelta, tensorsToData } from '../exportDelta';

export interface FreshExportInput {
  encoder: { id: string; fingerprint: string; config: BertConfig };
  config: MethodConfig;
  task: { name: string; labels: readonly string[]; descriptions?: readonly string[] };
  pooling?: PoolingConfig;
  metrics?: Record<string, number>;
  createdAt?: Date;
  seed?: number;
}

export async function freshDeltaExport(input: FreshExportInput): Promise<Uint8Array> {
  const seed = input.seed ?? 7;
  const delta = createDelta(input.encoder.config, input.config, seed);
  const head = LinearHead.random(input.encoder.config.hiddenSize, input.task.labels.length, seed);
  try {
    const tensors = await tensorsToData({ ...delta.tensors(), [HEAD_TENSOR_NAMES.weight]: head.weight, [HEAD_TENSOR_NAMES.bias]: head.bias });
    return exportDelta({
      task: input.task,
      encoder: input.encoder,
      pooling: input.pooling ?? { mode: 'mean', normalize: true },
      config: input.config,
      tensors,
      ...(input.metrics ? { metrics: input.metrics } : {}),
      createdAt: input.createdAt ?? new Date('2025-01-02T03:04:05Z'),
    });
  } finally {
    delta.dispose();
    head.dispose();
  }
}
