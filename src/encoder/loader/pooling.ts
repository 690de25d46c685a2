/**
 * How a checkpoint turns token states into one sentence vector. Looked up in this order:
 *  1. pooling.json (Tabtune's own): {"mode": "mean" | "cls", "normalize": boolean};
 *  2. sentence-transformers' modules.json: its Pooling module's folder (usually 1_Pooling/config.json) gives the
 *     mode; a Normalize module in the list means normalize = true;
 *  3. neither: DEFAULT_POOLING — mean over real tokens, not normalised. A plain BERT has no pooling of its own;
 *     mean pooling is the usual sentence representation for a frozen encoder, and we do not normalise because
 *     nothing in the checkpoint asks for it (sentence-transformers models that want it say so with Normalize).
 */
import type { PoolingConfig } from '../types';
import { ModelLoadError } from '../errors';

export const POOLING_FILE = 'pooling.json';
export const MODULES_FILE = 'modules.json';
export const DEFAULT_POOLING: PoolingConfig = { mode: 'mean', normalize: false };

const ST_POOLING = 'sentence_transformers.models.Pooling';
const ST_NORMALIZE = 'sentence_transformers.models.Normalize';

/** Reads our pooling.json. */
export function parsePoolingJson(json: unknown, where: string): PoolingConfig {
  const raw = asObject(json, POOLING_FILE, where);
  if (raw.mode !== 'mean' && raw.mode !== 'cls') {
    throw unsupportedMode(POOLING_FILE, where, String(raw.mode));
  }
  if (raw.normalize !== undefined && typeof raw.normalize !== 'boolean') {
    throw malformed(POOLING_FILE, where, '"normalize" must be true or false');
  }
  return { mode: raw.mode, normalize: raw.normalize ?? false };
}

/** What modules.json says: the Pooling module's config file (if any) and whether a Normalize module follows. */
export interface SentenceTransformersModules {
  poolingConfigFile?: string;
  normalize: boolean;
}

export function parseModulesJson(json: unknown, where: string): SentenceTransformersModules {
  if (!Array.isArray(json)) throw malformed(MODULES_FILE, where, 'it must be a JSON array of modules');
  const modules = json as Array<{ type?: unknown; path?: unknown }>;
  const pooling = modules.find((m) => m?.type === ST_POOLING);
  const path = typeof pooling?.path === 'string' ? pooling.path.replace(/^\.?\/+|\/+$/g, '') : undefined;
  return {
    poolingConfigFile: path === undefined ? undefined : path ? `${path}/config.json` : 'config.json',
    normalize: modules.some((m) => m?.type === ST_NORMALIZE),
  };
}

/** Reads sentence-transformers' Pooling config (e.g. 1_Pooling/config.json). Only mean and cls are supported. */
export function parseSentenceTransformersPooling(json: unknown, file: string, normalize: boolean, where: string): PoolingConfig {
  const raw = asObject(json, file, where);
  const enabled = Object.keys(raw).filter((key) => key.startsWith('pooling_mode_') && raw[key] === true);
  if (enabled.length !== 1) {
    throw enabled.length === 0
      ? malformed(file, where, 'no pooling_mode_* is true')
      : unsupportedMode(file, where, enabled.join(' + '));
  }
  const mode = enabled[0] === 'pooling_mode_mean_tokens' ? 'mean' : enabled[0] === 'pooling_mode_cls_token' ? 'cls' : undefined;
  if (!mode) throw unsupportedMode(file, where, enabled[0]);
  return { mode, normalize };
}

function asObject(json: unknown, file: string, where: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw malformed(file, where, 'it is not a JSON object');
  return json as Record<string, unknown>;
}

function malformed(file: string, where: string, why: string): ModelLoadError {
  return new ModelLoadError('config-mismatch', `${file} of ${where} is malformed: ${why}. Fix or delete the file.`, file);
}

function unsupportedMode(file: string, where: string, mode: string): ModelLoadError {
  return new ModelLoadError(
    'unsupported-architecture',
    `${file} of ${where} asks for pooling "${mode}"; Tabtune supports mean and cls pooling only. Edit the file to use one of them.`,
    file,
  );
}
