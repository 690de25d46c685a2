/**
 * Interop step 1 (scripts/interop/run.sh): for every method in the registry, trains a classifier briefly on
 * the tiny f32 BERT, exports it and records the logits Tabtune gives on 32 sentences, for check_peft.py
 * (peft and head-only) and check_adapters.py (AdapterHub).
 *
 *   npx tsx scripts/interop/export.ts OUT_DIR   ->  OUT_DIR/<method>/delta.zip, OUT_DIR/<method>/logits.json
 *
 * logits.json: {method, library, labels, texts, input_ids, attention_mask, token_type_ids ([32][seq]), logits
 * ([32][classes])}. The token ids travel with the logits, so the check compares models, not tokenizers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readCheckpointDir, TINY_BERT_DIR } from '../../src/encoder/bert/testing/fixtures';
import { BertWeights, LINEAR_NAMES } from '../../src/encoder/bert/weights';
import { WordPieceTokenizer } from '../../src/encoder/tokenizer';
import type { EncodedBatch } from '../../src/encoder/types';
import { exportDelta, tensorsToData } from '../../src/peft/export';
import { TINY_LABELS, TINY_POOLING, TINY_TRAINING, trainTinyClassifier } from '../../src/peft/export/testing/tinyTask';
import { HOULSBY } from '../../src/peft/bottleneck';
import type { MethodName } from '../../src/peft/method';
import { PEFT_METHODS, type MethodConfig } from '../../src/peft/registry';
import { initNodeBackend } from '../../src/runtime/nodeBackends';

const STEPS = 5;

/**
 * Configs other than a method's defaults, to cover more of it: LoRA on every linear layer; Houlsby adapters (both
 * sites) with a whole-number scaling, which AdapterHub reads only when written as a float ("2.0").
 */
const CONFIGS: Partial<Record<MethodName, MethodConfig>> = {
  lora: { ...PEFT_METHODS.lora.defaults, targetModules: [...LINEAR_NAMES], r: 4 },
  bottleneck: { ...HOULSBY, reductionFactor: 8, scaling: 2 },
};

const SUBJECTS = ['the movie', 'the hotel', 'this phone', 'the food', 'our trip', 'the book', 'the staff', 'the concert'];
const VERDICTS = ['was great and i love it', 'was bad , i hate it', 'is on the table', 'made me smile all day'];
/** 32 sentences, none of them in the training set. */
const EVAL_TEXTS = SUBJECTS.flatMap((s) => VERDICTS.map((v) => `${s} ${v}`));

function rows(flat: Int32Array, batch: EncodedBatch): number[][] {
  return Array.from({ length: batch.batch }, (_, i) => Array.from(flat.subarray(i * batch.seqLen, (i + 1) * batch.seqLen)));
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: tsx scripts/interop/export.ts OUT_DIR');
  await initNodeBackend('cpu');
  const ckpt = readCheckpointDir(TINY_BERT_DIR);
  const tokenizer = WordPieceTokenizer.fromJSON(ckpt.tokenizerJson);
  const train = tokenizer.encodeBatch(TINY_TRAINING.map(([t]) => t));
  const labels = TINY_TRAINING.map(([, l]) => l);
  const evalBatch = tokenizer.encodeBatch(EVAL_TEXTS);
  const weights = BertWeights.fromCheckpoint(ckpt);

  for (const [name, method] of Object.entries(PEFT_METHODS) as [MethodName, (typeof PEFT_METHODS)[MethodName]][]) {
    const { library } = method.format;
    const config = CONFIGS[name] ?? method.defaults;
    const clf = trainTinyClassifier(weights, ckpt.config, config, train, labels, STEPS);
    const zip = exportDelta({
      task: { name: `interop ${name}`, labels: [...TINY_LABELS] },
      encoder: ckpt,
      pooling: TINY_POOLING,
      config,
      tensors: await tensorsToData(clf.tensors()),
      createdAt: new Date(),
    });
    const logits = clf.logits(evalBatch);
    const values = (await logits.array()) as number[][];
    logits.dispose();
    clf.dispose();
    const dir = join(out, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'delta.zip'), zip);
    writeFileSync(join(dir, 'logits.json'), JSON.stringify({
      method: name,
      library,
      labels: TINY_LABELS,
      texts: EVAL_TEXTS,
      input_ids: rows(evalBatch.inputIds, evalBatch),
      attention_mask: rows(evalBatch.attentionMask, evalBatch),
      token_type_ids: rows(evalBatch.tokenTypeIds, evalBatch),
      logits: values,
    }));
    console.log(`interop: ${name}: exported ${zip.byteLength} bytes (${library}) after ${STEPS} steps`);
  }
  weights.dispose();
  if (tf.memory().numTensors > 0) console.log(`interop: ${tf.memory().numTensors} tensors left (not an interop failure)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
