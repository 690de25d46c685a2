/** Node-only: the golden PEFT fixtures of fixtures/peft/ (see its README), read for the parity tests. */
import { readParityFixture, type ParityFixture, type ParityFixtureJson } from './parityFixture';

export interface LoraFixtureJson extends ParityFixtureJson {
  model_sha256: string;
  lora_config: { r: number; lora_alpha: number; lora_dropout: number; target_modules: string[]; exclude_modules: string[]; use_rslora: boolean };
  scaling: number;
  head: { classes: number; normalize: boolean };
  peft_state_dict_keys: string[];
  peft_state_dict_keys_without_exclude: string[];
  peft_state_dict_keys_seq_cls: string[];
}

export type LoraFixture = ParityFixture<LoraFixtureJson>;

export function readLoraFixture(): LoraFixture {
  return readParityFixture<LoraFixtureJson>('fixtures/peft', 'lora-tiny');
}
