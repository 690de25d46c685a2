/**
 * Every PEFT method, one row each. `satisfies` makes a name in METHOD_NAMES without a row (or a row whose
 * config has the wrong tag) a compile error; there is no registration by import side effect.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../encoder/types';
import { headMethod } from './head';
import { loraMethod } from './lora';
import { bottleneckMethod } from './bottleneck';
import { prefixMethod, ptuningV2Method } from './prefix';
import { promptTuningMethod, ptuningMethod } from './prompt';
import type { Delta, EncoderParts, MethodName, PeftMethod } from './method';

export const PEFT_METHODS = {
  head: headMethod,
  lora: loraMethod,
  bottleneck: bottleneckMethod,
  prefix: prefixMethod,
  ptuningV2: ptuningV2Method,
  prompt: promptTuningMethod,
  ptuning: ptuningMethod,
} as const satisfies { [K in MethodName]: PeftMethod<{ method: K }> };

/** The config type of one method, e.g. MethodConfig<'lora'> = LoraConfig; MethodConfig alone is their union. */
export type MethodConfig<K extends MethodName = MethodName> = (typeof PEFT_METHODS)[K]['defaults'];

/** The row for a config's tag, typed for that config. */
function methodOf(config: MethodConfig): PeftMethod<MethodConfig> {
  return PEFT_METHODS[config.method] as PeftMethod<MethodConfig>;
}

/** A fresh delta (the identity) for any method's config. */
export function createDelta(encoder: BertConfig, config: MethodConfig, seed: number, parts?: EncoderParts): Delta {
  return methodOf(config).create(encoder, config, seed, parts);
}

/** A delta from saved tensors (peft's names) for any method's config. */
export function loadDelta(encoder: BertConfig, config: MethodConfig, saved: Record<string, tf.Tensor>): Delta {
  return methodOf(config).load(encoder, config, saved);
}
