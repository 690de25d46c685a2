/**
 * The README.md inside an exported zip: what the files are and how to get, in Python, the logits Tabtune
 * computes. Tabtune classifies the mean-pooled token states (as the encoder's sentence-transformers pooling
 * says), while BertForSequenceClassification's own forward classifies the pooler's [CLS] output, so
 * `model(**batch).logits` is NOT Tabtune's prediction; the snippet below is.
 */
import type { DeltaManifest } from './layout';

const py = (s: string) => JSON.stringify(s); // a Python string literal (JSON's escapes are Python's)

function logitsSnippet(m: DeltaManifest, encoderCall: string, headCall: string): string {
  return [
    'def tabtune_logits(texts):',
    '    batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")',
    '    with torch.no_grad():',
    `        hidden = ${encoderCall}(**batch).last_hidden_state  # [batch, seq, ${m.encoder.hiddenSize}]`,
    '        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]',
    '        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # mean pooling, [batch, hidden]',
    m.encoder.pooling.normalize
      ? '        pooled = torch.nn.functional.normalize(pooled, dim=-1)  # this encoder\'s pooling normalises'
      : '        # (this encoder\'s pooling does not normalise)',
    `        return ${headCall}(pooled)  # [batch, ${m.task.labels.length}]`,
    '',
    `LABELS = ${JSON.stringify(m.task.labels)}`,
    'print([LABELS[i] for i in tabtune_logits(["your text here"]).argmax(-1)])',
  ].join('\n');
}

export function deltaReadme(m: DeltaManifest): string {
  const n = m.task.labels.length;
  const head = [
    `# ${m.task.name}: a Tabtune ${m.method.method} delta`,
    '',
    `Trained in Tabtune on the encoder \`${m.encoder.id}\` (sha256 of its model.safetensors: \`${m.encoder.fingerprint}\`)`,
    `for ${n} classes: ${m.task.labels.map((l) => `\`${l}\``).join(', ')}. Exported ${m.createdAt}.`,
    '',
    'Use it with exactly that encoder, in float32: its weights are the ones the delta was trained against.',
    'Tabtune ships an int8 copy of some encoders; in Python load the original float weights from the same model id.',
    '',
  ];
  const pip = 'pip install torch transformers==4.57.1 peft==0.17.1 safetensors';
  if (m.library === 'peft') {
    return [
      ...head,
      '## Files',
      '',
      `- \`adapter_config.json\`, \`adapter_model.safetensors\`: a peft ${String(m.method.method).toUpperCase()} adapter for`,
      '  `BertForSequenceClassification`, with the classifier saved under `modules_to_save`.',
      '- `tabtune.json`: Tabtune\'s metadata (labels, encoder fingerprint, config, metrics); peft ignores it.',
      '',
      '## Load with peft',
      '',
      '```python',
      `# ${pip}`,
      'import torch',
      'from peft import PeftModel',
      'from transformers import AutoTokenizer, BertForSequenceClassification',
      '',
      `base = BertForSequenceClassification.from_pretrained(${py(m.encoder.id)}, num_labels=${n})`,
      'model = PeftModel.from_pretrained(base, "path/to/this/folder").eval()',
      `tokenizer = AutoTokenizer.from_pretrained(${py(m.encoder.id)})`,
      '```',
      '',
      '## Reproduce Tabtune\'s logits',
      '',
      'Tabtune classifies the **mean-pooled** token states of the encoder (with the adapter active), not the pooler\'s',
      '[CLS] output that `BertForSequenceClassification.forward` uses; so `model(**batch).logits` differs from',
      'Tabtune\'s prediction. This gives Tabtune\'s logits:',
      '',
      '```python',
      logitsSnippet(m, 'model.base_model.model.bert', 'model.base_model.model.classifier'),
      '```',
      '',
    ].join('\n');
  }
  return [
    ...head,
    '## Files',
    '',
    `- \`classifier.safetensors\`: a \`torch.nn.Linear(${m.encoder.hiddenSize}, ${n})\` (\`weight\` [${n}, ${m.encoder.hiddenSize}], \`bias\` [${n}])`,
    '  on the frozen encoder\'s sentence embeddings; the encoder itself is unchanged (head-only training).',
    '- `tabtune.json`: Tabtune\'s metadata (labels, encoder fingerprint, config, metrics).',
    '',
    '## Load with torch and reproduce Tabtune\'s logits',
    '',
    '```python',
    `# ${pip}`,
    'import torch',
    'from safetensors.torch import load_file',
    'from transformers import AutoModel, AutoTokenizer',
    '',
    `encoder = AutoModel.from_pretrained(${py(m.encoder.id)}).eval()`,
    `tokenizer = AutoTokenizer.from_pretrained(${py(m.encoder.id)})`,
    `classifier = torch.nn.Linear(${m.encoder.hiddenSize}, ${n})`,
    'classifier.load_state_dict(load_file("path/to/this/folder/classifier.safetensors"))',
    '',
    logitsSnippet(m, 'encoder', 'classifier'),
    '```',
    '',
  ].join('\n');
}
