/**
 * How AdapterHub names a bottleneck adapter's tensors in pytorch_adapter.bin / adapter.safetensors. save_adapter
 * writes the model's own parameter names, so a BertAdapterModel (or BertForSequenceClassification) gives
 *
 *   bert.encoder.layer.<l>.attention.output.adapters.<name>.adapter_down.0.weight   [m, d]  (mh_adapter)
 *   bert.encoder.layer.<l>.output.adapters.<name>.adapter_up.bias                   [d]     (output_adapter)
 *
 * and a bare BertModel the same without "bert."; AdapterHub's loader accepts either. Tabtune writes the "bert."
 * form and reads both. `adapter_down` is a Sequential (Linear, activation), hence its ".0".
 */
import type { AdapterSite } from './config';

/** The adapter name Tabtune saves under (AdapterHub's add_adapter name). */
export const ADAPTER_NAME = 'tabtune';

/** AdapterHub's prefix for a BERT base model inside a model with a head (BertAdapterModel.base_model_prefix). */
export const ADAPTERHUB_PREFIX = 'bert.';

/** The module an adapter hangs on: BertSelfOutput (attention.output) or BertOutput (output). */
export const SITE_MODULES: Record<AdapterSite, string> = { attention: 'attention.output', ffn: 'output' };

export interface AdapterTensorNames {
  downWeight: string; // [m, d]
  downBias: string; // [m]
  upWeight: string; // [d, m]
  upBias: string; // [d]
}

/** The four names of the adapter at (layer, site), as AdapterHub saves them. */
export function adapterTensorNames(layer: number, site: AdapterSite, name = ADAPTER_NAME, prefix = ADAPTERHUB_PREFIX): AdapterTensorNames {
  const m = `${prefix}encoder.layer.${layer}.${SITE_MODULES[site]}.adapters.${name}`;
  return {
    downWeight: `${m}.adapter_down.0.weight`,
    downBias: `${m}.adapter_down.0.bias`,
    upWeight: `${m}.adapter_up.weight`,
    upBias: `${m}.adapter_up.bias`,
  };
}

const ADAPTER_KEY = /^(?:bert\.)?encoder\.layer\.(\d+)\.(attention\.output|output)\.adapters\.([^.]+)\.(adapter_down\.0\.weight|adapter_down\.0\.bias|adapter_up\.weight|adapter_up\.bias)$/;

/**
 * An AdapterHub state dict (either prefix, any adapter name) under Tabtune's names: the adapter named `name`,
 * or the only one present. Other keys (heads, other methods) are left out. The tensors are the same objects.
 */
export function fromAdapterHubTensors<T>(state: Record<string, T>, name?: string): Record<string, T> {
  const names = new Set<string>();
  for (const k of Object.keys(state)) {
    const hit = ADAPTER_KEY.exec(k);
    if (hit) names.add(hit[3]);
  }
  const chosen = name ?? (names.size === 1 ? [...names][0] : undefined);
  if (chosen === undefined || !names.has(chosen)) {
    const found = names.size ? [...names].join(', ') : 'none';
    throw new Error(`Cannot tell which bottleneck adapter to read (asked for ${name ?? 'the only one'}; found ${found}); pass its name.`);
  }
  const out: Record<string, T> = {};
  for (const [k, t] of Object.entries(state)) {
    const hit = ADAPTER_KEY.exec(k);
    if (!hit || hit[3] !== chosen) continue;
    out[`${ADAPTERHUB_PREFIX}encoder.layer.${hit[1]}.${hit[2]}.adapters.${ADAPTER_NAME}.${hit[4]}`] = t;
  }
  return out;
}
