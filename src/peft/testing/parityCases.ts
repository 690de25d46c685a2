/**
 * Node-only: every golden parity fixture of the PEFT methods as one table (STYLE 4). A row names its f32 fixture
 * (fixtures/peft/, fixtures/adapters/, fixtures/prompts/; each folder's README describes it) and builds, from the
 * fixture's initial parameters, the classifier it describes, with the trainable variables under the fixture's
 * names. The parity tests read it: on cpu against the f32 fixtures, and on webgpu with our kernels against the
 * int8 ones (fixtures/int8/, which share the f32 fixtures' batches and initial parameters).
 */
import * as tf from '@tensorflow/tfjs';
import type { BertWeights } from '../../encoder/bert/weights';
import type { BertConfig } from '../../encoder/types';
import { ADAPTER_NAME, bottleneckMethod, fromAdapterHubConfig, fromAdapterHubTensors } from '../bottleneck';
import { PeftClassifier } from '../classifier';
import { headMethod, LinearHead } from '../head';
import { LORA_DEFAULTS, loraMethod, resolvePeftTargets, type LoraConfig } from '../lora';
import type { Delta, MethodName } from '../method';
import { PrefixDelta, prefixFromPeft } from '../prefix';
import { promptTuningDelta, promptTuningFromPeft, ptuningDeltaFromParameters, ptuningFromPeft } from '../prompt';
import { headFromFixtureKey, headToFixtureKey, namedTrainables } from './parityChecks';
import { initTensors, type ParityFixture } from './parityFixture';
import type { LoraFixtureJson } from './peftFixtures';

/** Every fixture pools the token states by their mean over the mask, not normalised. */
export const PARITY_POOLING = { mode: 'mean', normalize: false } as const;

/** A classifier at a fixture's initial parameters; dispose() frees the delta and head (not the weights). */
export interface ParityClassifier {
  clf: PeftClassifier;
  /** Each trainable variable under its fixture name (the fixture's `trainable`, in some order). */
  named: [string, tf.Variable][];
}

export interface ParityCase {
  method: MethodName;
  /** Folder (repo-relative) and stem of the f32 fixture. */
  dir: string;
  stem: string;
  build(weights: BertWeights, fx: ParityFixture): ParityClassifier;
}

/** The LoRA fixture's LoraConfig under Tabtune's names. */
export function loraConfigOf(json: LoraFixtureJson): LoraConfig {
  const c = json.lora_config;
  return { ...LORA_DEFAULTS, r: c.r, loraAlpha: c.lora_alpha, loraDropout: c.lora_dropout, useRslora: c.use_rslora, targetModules: resolvePeftTargets(c.target_modules) };
}

/** The fixture's adapter tensor names from Tabtune's (which save under ADAPTER_NAME); the head as `classifier.*`. */
export function adapterFixtureKey(adapterName: string): (key: string) => string {
  return (key) => headToFixtureKey(key).replace(`.adapters.${ADAPTER_NAME}.`, `.adapters.${adapterName}.`);
}

/** `use` of the fixture's `init.*` tensors, freed after (deltas and heads keep their own references). */
function withInit<T>(fx: ParityFixture, use: (init: Record<string, tf.Tensor>) => T): T {
  const init = initTensors(fx);
  try {
    return use(init);
  } finally {
    tf.dispose(Object.values(init));
  }
}

/** The fixture's head (`classifier.*`). */
function headOf(init: Record<string, tf.Tensor>): LinearHead {
  return new LinearHead({ weight: init['classifier.weight'] as tf.Tensor2D, bias: init['classifier.bias'] as tf.Tensor1D });
}

/** A delta whose parameters keep peft's torch names inside its prompt encoder (the fixture's names). */
type TorchNamedDelta = Delta & { parameters: Readonly<Record<string, tf.Variable>> };

/** The delta and the fixture's head, named as the fixture names them. */
function withTorchNames(weights: BertWeights, init: Record<string, tf.Tensor>, delta: TorchNamedDelta): ParityClassifier {
  const clf = new PeftClassifier(weights, PARITY_POOLING, delta, headOf(init));
  return { clf, named: [...Object.entries(delta.parameters), ['classifier.weight', clf.head.weight], ['classifier.bias', clf.head.bias]] };
}

const lora: ParityCase = {
  method: 'lora',
  dir: 'fixtures/peft',
  stem: 'lora-tiny',
  build: (weights, fx) =>
    withInit(fx, (init) => {
      const saved = Object.fromEntries(Object.entries(init).map(([k, t]) => [headFromFixtureKey(k), t]));
      const clf = new PeftClassifier(weights, PARITY_POOLING, loraMethod.load(weights.config, loraConfigOf(fx.json as LoraFixtureJson), saved), LinearHead.load(saved));
      return { clf, named: namedTrainables(clf) };
    }),
};

/** The LoRA fixture's head alone on the frozen encoder (Tabtune's head-only method). */
const head: ParityCase = {
  method: 'head',
  dir: 'fixtures/peft',
  stem: 'lora-tiny',
  build: (weights, fx) =>
    withInit(fx, (init) => {
      const clf = new PeftClassifier(weights, PARITY_POOLING, headMethod.create(weights.config, { method: 'head' }, 0), headOf(init));
      return { clf, named: namedTrainables(clf) };
    }),
};

function bottleneck(stem: string): ParityCase {
  return {
    method: 'bottleneck',
    dir: 'fixtures/adapters',
    stem,
    build: (weights, fx) =>
      withInit(fx, (hub) => {
        const json = fx.json as unknown as { adapter_name: string; adapter_config: Record<string, unknown> };
        const delta = bottleneckMethod.load(weights.config, fromAdapterHubConfig(json.adapter_config), fromAdapterHubTensors(hub, json.adapter_name));
        const clf = new PeftClassifier(weights, PARITY_POOLING, delta, headOf(hub));
        return { clf, named: namedTrainables(clf, adapterFixtureKey(json.adapter_name)) };
      }),
  };
}

/** A virtual-token case: its delta from the fixture's torch parameters and peft's adapter_config.json. */
function prompts(method: MethodName, stem: string, delta: (encoder: BertConfig, init: Record<string, tf.Tensor>, adapterConfig: Record<string, unknown>) => TorchNamedDelta): ParityCase {
  return {
    method,
    dir: 'fixtures/prompts',
    stem,
    build: (weights, fx) => {
      const adapterConfig = (fx.json as unknown as { adapter_config: Record<string, unknown> }).adapter_config;
      return withInit(fx, (init) => withTorchNames(weights, init, delta(weights.config, init, adapterConfig)));
    },
  };
}

/** One row per fixture; every method of the registry has at least one. */
export const PARITY_CASES = {
  head,
  lora,
  houlsby: bottleneck('houlsby-tiny'),
  pfeiffer: bottleneck('pfeiffer-tiny'),
  mixed: bottleneck('mixed-tiny'),
  prefix: prompts('prefix', 'prefix-tiny', (enc, init, ac) => PrefixDelta.fromParameters('prefix', enc, prefixFromPeft(ac).numVirtualTokens, init)),
  'ptuning-v2': prompts('ptuningV2', 'ptuning-v2-tiny', (enc, init, ac) => PrefixDelta.fromParameters('ptuningV2', enc, prefixFromPeft(ac).numVirtualTokens, init)),
  prompt: prompts('prompt', 'prompt-tiny', (enc, init, ac) => promptTuningDelta(enc, promptTuningFromPeft(ac), init['embedding.weight'])),
  'ptuning-mlp': prompts('ptuning', 'ptuning-mlp-tiny', (enc, init, ac) => ptuningDeltaFromParameters(enc, ptuningFromPeft(ac, enc.hiddenSize), init)),
  'ptuning-lstm': prompts('ptuning', 'ptuning-lstm-tiny', (enc, init, ac) => ptuningDeltaFromParameters(enc, ptuningFromPeft(ac, enc.hiddenSize), init)),
} as const satisfies Record<string, ParityCase>;

export type ParityCaseName = keyof typeof PARITY_CASES;
