/**
 * LoraConfig <-> peft's adapter_config.json (the fields Tabtune uses), so a delta saved here describes itself
 * to peft and a peft LoRA for a BERT encoder can be read back.
 */
import { LORA_DEFAULTS, type LoraConfig } from './config';
import { resolvePeftTargets, toPeftTargetModules } from './targets';

export interface PeftLoraAdapterConfig {
  peft_type: 'LORA';
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string | string[];
  use_rslora: boolean;
  bias: 'none';
  init_lora_weights: boolean;
}

export function toPeftAdapterConfig(c: LoraConfig): PeftLoraAdapterConfig {
  return {
    peft_type: 'LORA',
    r: c.r,
    lora_alpha: c.loraAlpha,
    lora_dropout: c.loraDropout,
    target_modules: toPeftTargetModules(c.targetModules),
    use_rslora: c.useRslora,
    bias: 'none',
    init_lora_weights: true,
  };
}

/** Reads peft's config; refuses what Tabtune's LoRA does not implement rather than ignoring it. */
export function fromPeftAdapterConfig(json: Record<string, unknown>): LoraConfig {
  if (json.peft_type !== 'LORA') throw new Error(`Not a LoRA adapter_config.json (peft_type ${String(json.peft_type)}).`);
  for (const key of ['use_dora', 'layers_to_transform', 'rank_pattern', 'alpha_pattern'] as const) {
    const v = json[key];
    if (v && !(typeof v === 'object' && Object.keys(v).length === 0)) throw new Error(`This LoRA uses peft's "${key}", which Tabtune does not support.`);
  }
  if (json.bias !== undefined && json.bias !== 'none') throw new Error(`This LoRA trains biases (bias="${String(json.bias)}"), which Tabtune does not support.`);
  const targets = resolvePeftTargets((json.target_modules as string | string[] | undefined) ?? []);
  if (targets.length === 0) throw new Error(`target_modules ${JSON.stringify(json.target_modules)} matches no BERT linear layer.`);
  return {
    method: 'lora',
    r: Number(json.r ?? LORA_DEFAULTS.r),
    loraAlpha: Number(json.lora_alpha ?? LORA_DEFAULTS.loraAlpha),
    loraDropout: Number(json.lora_dropout ?? 0),
    targetModules: targets,
    useRslora: Boolean(json.use_rslora),
  };
}
