/** Node-only: the golden bottleneck-adapter fixtures of fixtures/adapters/ (see its README), for the parity tests. */
import { readParityFixture, type ParityFixture, type ParityFixtureJson } from '../../testing/parityFixture';

/** The cases golden_adapters.py writes: AdapterHub's DoubleSeqBnConfig, SeqBnConfig and a BnConfig of other options. */
export const ADAPTER_CASES = ['houlsby', 'pfeiffer', 'mixed'] as const;
export type AdapterCase = (typeof ADAPTER_CASES)[number];

export interface AdapterFixtureJson extends ParityFixtureJson {
  case: AdapterCase;
  adapter_name: string;
  model_sha256: string;
  versions: Record<'adapters' | 'torch' | 'transformers', string>;
  /** adapter_config.json as save_adapter writes it. */
  adapter_config: Record<string, unknown> & { config: Record<string, unknown>; name: string };
  saved_files_safetensors: string[];
  saved_files_bin: string[];
  saved_keys_bert_model: string[];
  saved_keys_bert_model_bin: string[];
  saved_keys_bert_adapter_model: string[];
  bottleneck_size: number;
  head: { classes: number; normalize: boolean };
}

export type AdapterFixture = ParityFixture<AdapterFixtureJson>;

export function readAdapterFixture(name: AdapterCase): AdapterFixture {
  return readParityFixture<AdapterFixtureJson>('fixtures/adapters', `${name}-tiny`);
}
