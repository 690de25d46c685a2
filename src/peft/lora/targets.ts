/**
 * Which linear layers LoRA wraps, and how peft names them. Tabtune's config lists the encoder's own LinearNames;
 * peft's adapter_config.json lists `target_modules` matched against module names such as
 * `encoder.layer.0.attention.self.query` (BertModel) or `bert.encoder.layer.0...` (BertForSequenceClassification):
 * a list matches a name that equals an entry or ends with "." + entry (so "dense" hits attention.output.dense,
 * intermediate.dense, output.dense, and the pooler; "output.dense" hits attention.output.dense too), and a
 * string is a regex that must match the whole name (peft tuners_utils.check_target_module_exists).
 */
import { HF_LINEAR_PATHS, LINEAR_NAMES, type LinearName } from '../../encoder/bert/weights';

/** Each linear layer's module path inside a BertLayer, as transformers (and so peft) names it. */
export const PEFT_MODULE_PATHS = HF_LINEAR_PATHS;

/** Prefix of a BertModel's parameters in peft's saved state dict. */
export const PEFT_PREFIX = 'base_model.model.';

/** The module name peft sees for one linear layer of a BertModel. */
export function peftModuleName(layer: number, name: LinearName): string {
  return `encoder.layer.${layer}.${PEFT_MODULE_PATHS[name]}`;
}

/** The names peft's get_peft_model_state_dict gives LoRA's two matrices of one layer. */
export function loraTensorNames(layer: number, name: LinearName): { a: string; b: string } {
  const m = PEFT_PREFIX + peftModuleName(layer, name);
  return { a: `${m}.lora_A.weight`, b: `${m}.lora_B.weight` };
}

/** Which linear layers peft would wrap for `targetModules` (layer 0 stands for all: BERT layers are alike). */
export function resolvePeftTargets(targetModules: string | readonly string[]): LinearName[] {
  const matches = (key: string) =>
    typeof targetModules === 'string'
      ? new RegExp(`^(?:${targetModules})$`).test(key)
      : targetModules.some((t) => key === t || key.endsWith(`.${t}`));
  return LINEAR_NAMES.filter((n) => matches(peftModuleName(0, n)));
}

/** A peft `target_modules` regex that selects exactly these layers, in a BertModel or a model wrapping one. */
export function toPeftTargetModules(targets: readonly LinearName[]): string {
  const paths = LINEAR_NAMES.filter((n) => targets.includes(n)).map((n) => PEFT_MODULE_PATHS[n].replaceAll('.', '\\.'));
  return `(.*\\.)?encoder\\.layer\\.\\d+\\.(${paths.join('|')})`;
}
