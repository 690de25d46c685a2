/**
 * Every PEFT method through our kernels against PyTorch. The int8 tiny BERT (fixtures/models/tiny-bert-int8/) is
 * kept int8 on webgpu (Dawn, SwiftShader) with the kernels on; peft and AdapterHub ran the same model on its
 * weights dequantised (fixtures/int8/, scripts/py/golden_int8.sh). For each fixture, from its initial parameters
 * with dropout off: logits, loss and the gradient of every trainable tensor. Each case also checks, by the
 * dispatches the bridge counts, that every linear layer and the word embeddings ran our kernels, and that the
 * backward ran our input-gradient kernel wherever a gradient enters the encoder, so a silent fallback to tfjs's
 * ops fails the test.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointDir, TINY_BERT_INT8_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights, LINEAR_NAMES } from '../encoder/bert/weights';
import type { MethodName } from '../peft/method';
import { PARITY_CASES, type ParityCaseName } from '../peft/testing/parityCases';
import { expectGradients, expectLogitsAndLoss, type ParityTolerance } from '../peft/testing/parityChecks';
import { readInt8ParityFixture } from '../peft/testing/parityFixture';
import { initNodeBackend, uninstallNodeWebGpu } from '../runtime/nodeBackends';
import { kernelDispatchCounts, resetKernelDispatchCounts } from './bridge';
import { setKernelsEnabled } from './flags';

/**
 * Our kernels (f32 on SwiftShader, int8 weights scaled per output channel after the sum) against PyTorch's f32 CPU
 * on the dequantised weights: only summation order and erf/exp differ. Measured here: at most 3.3e-7 on logits and
 * loss, 1.8e-7 on gradients; the bound leaves room for other GPUs' exp and erf.
 */
const TOL_KERNELS_VS_TORCH: ParityTolerance = { logits: 1e-5, grad: 1e-5 };

/** The kernels that run inside one forward: the int8 embedding gather, and one linear kernel per linear layer. */
const LINEAR_KERNELS = ['int8Matmul', 'loraFused'];
/** Kernels a training step of each method must also dispatch (a gradient enters the encoder for all but the head). */
const STEP_KERNELS: Record<MethodName, readonly string[]> = {
  head: [],
  lora: ['loraFused', 'int8MatmulGradX'],
  bottleneck: ['int8MatmulGradX'],
  prefix: ['int8MatmulGradX'],
  ptuningV2: ['int8MatmulGradX'],
  prompt: ['int8MatmulGradX'],
  ptuning: ['int8MatmulGradX'],
};

const ckpt = readCheckpointDir(TINY_BERT_INT8_DIR);
let weights: BertWeights;
const measured: string[] = [];

beforeAll(async () => {
  const choice = await initNodeBackend('webgpu');
  expect(choice.backend, `webgpu did not start: ${choice.fallbackReason}`).toBe('webgpu');
  setKernelsEnabled(true);
  weights = BertWeights.fromCheckpoint(ckpt, { keepInt8: true });
});

afterAll(() => {
  console.info(`kernels vs PyTorch (tiny int8 BERT), max |diff|:\n${measured.join('\n')}`);
  weights?.dispose();
  uninstallNodeWebGpu();
});

it('keeps the int8 checkpoint int8 on the GPU', () => {
  expect(ckpt.quantization).toBe('int8');
  expect(weights.embeddings.wordInt8).toBeDefined();
  for (const name of LINEAR_NAMES) expect(weights.layers[0][name].int8, name).toBeDefined();
});

describe.each(Object.keys(PARITY_CASES) as ParityCaseName[])('%s through our kernels vs PyTorch (tiny int8 BERT, webgpu)', (name) => {
  const row = PARITY_CASES[name];
  const fx = readInt8ParityFixture(`${name}-tiny`);

  it('was written for this checkpoint and this f32 fixture', () => {
    expect(ckpt.fingerprint, `fixtures/int8/${name}-tiny.json is stale`).toBe(fx.int8.model_sha256);
    expect(fx.int8.f32_fixture).toBe(`${row.dir}/${row.stem}.json`);
  });

  it('matches logits, loss and every gradient, with the kernels running', async () => {
    const { clf, named } = row.build(weights, fx);
    resetKernelDispatchCounts();
    tf.tidy(() => clf.logits(fx.batch)).dispose();
    const forward = new Map(kernelDispatchCounts());
    expect(forward.get('int8Gather'), 'word embeddings').toBe(1);
    expect(LINEAR_KERNELS.reduce((n, k) => n + (forward.get(k) ?? 0), 0), 'linear layers').toBe(LINEAR_NAMES.length * ckpt.config.numHiddenLayers);

    resetKernelDispatchCounts();
    const { logits, loss } = await expectLogitsAndLoss(`${name} (int8 kernels)`, clf, fx, TOL_KERNELS_VS_TORCH);
    const grad = await expectGradients(`${name} (int8 kernels)`, clf, named, fx, TOL_KERNELS_VS_TORCH);
    const step = kernelDispatchCounts();
    for (const k of STEP_KERNELS[row.method]) expect(step.get(k) ?? 0, k).toBeGreaterThan(0);
    if (row.method === 'head') expect(step.get('int8MatmulGradX') ?? 0, 'no gradient enters a frozen encoder').toBe(0);
    measured.push(`  ${name}: logits ${logits.toExponential(2)}, loss ${loss.toExponential(2)}, gradients ${grad.toExponential(2)}`);
    clf.dispose();
  });
});
