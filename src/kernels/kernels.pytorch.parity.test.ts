/**
 * Every PEFT method through our kernels against PyTorch. The int8 tiny BERT (fixtures/models/tiny-bert-int8/) is
 * kept int8 on webgpu (Dawn, SwiftShader) with the kernels on; peft and AdapterHub ran the same model on its
 * weights dequantised (fixtures/int8/, scripts/py/golden_int8.sh). For each fixture, from its initial parameters
 * with dropout off: logits, loss and the gradient of every trainable tensor. Each case also checks, by the
 * dispatches the bridge counts, that every linear layer, the word embeddings, every LayerNorm and every attention
 * softmax ran our kernels, and that the backward ran ours wherever a gradient enters the encoder, so a silent
 * fallback to tfjs's ops fails the test.
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
 * on the dequantised weights: only summation order and erf/exp differ. Measured here: at most 5.4e-7 on logits and
 * loss, 3.6e-7 on gradients; the bound leaves room for other GPUs' exp and erf.
 */
const TOL_KERNELS_VS_TORCH: ParityTolerance = { logits: 1e-5, grad: 1e-5 };

/** One linear kernel per linear layer in a forward, whichever of these. */
const LINEAR_KERNELS = ['int8Matmul', 'loraFused'];
/** tfjs kernels that appear in a forward only where ours fell back: LayerNorm's rsqrt, softmax, f32 dense layers. */
const TFJS_FALLBACKS = ['Rsqrt', 'Softmax', '_FusedMatMul'];
/** The backward kernels of the encoder, run wherever a gradient enters it (every method but the head). */
const ENCODER_BACKWARD = ['int8MatmulGradX', 'layerNormGradX', 'maskedSoftmaxGrad'];
/** Kernels a training step of each method must dispatch besides those of the forward. */
const STEP_KERNELS: Record<MethodName, readonly string[]> = {
  head: [],
  lora: ['loraFused', 'loraRank', 'loraWeightGrad', ...ENCODER_BACKWARD],
  bottleneck: ENCODER_BACKWARD,
  prefix: ENCODER_BACKWARD,
  ptuningV2: ENCODER_BACKWARD,
  prompt: ENCODER_BACKWARD,
  ptuning: ENCODER_BACKWARD,
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
    const profile = await tf.profile(() => clf.logits(fx.batch));
    tf.dispose(profile.result as tf.Tensor);
    const forward = new Map(kernelDispatchCounts());
    const layers = ckpt.config.numHiddenLayers;
    expect(forward.get('int8Gather'), 'word embeddings').toBe(1);
    expect(LINEAR_KERNELS.reduce((n, k) => n + (forward.get(k) ?? 0), 0), 'linear layers').toBe(LINEAR_NAMES.length * layers);
    expect(forward.get('maskedSoftmax'), 'attention softmax').toBe(layers);
    expect(forward.get('layerNorm') ?? 0, 'LayerNorms: embeddings, 2 per layer (adapters may add some)').toBeGreaterThanOrEqual(1 + 2 * layers);
    const fallbacks = profile.kernels.map((k) => k.name).filter((name) => TFJS_FALLBACKS.includes(name));
    expect(fallbacks, "tfjs's own kernels for what ours do").toEqual([]);

    resetKernelDispatchCounts();
    const { logits, loss } = await expectLogitsAndLoss(`${name} (int8 kernels)`, clf, fx, TOL_KERNELS_VS_TORCH);
    const grad = await expectGradients(`${name} (int8 kernels)`, clf, named, fx, TOL_KERNELS_VS_TORCH);
    const step = kernelDispatchCounts();
    for (const k of STEP_KERNELS[row.method]) expect(step.get(k) ?? 0, k).toBeGreaterThan(0);
    if (row.method === 'head') for (const k of ENCODER_BACKWARD) expect(step.get(k) ?? 0, `${k}: no gradient enters a frozen encoder`).toBe(0);
    measured.push(`  ${name}: logits ${logits.toExponential(2)}, loss ${loss.toExponential(2)}, gradients ${grad.toExponential(2)}`);
    clf.dispose();
  });
});
