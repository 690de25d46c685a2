/**
 * The README.md inside an exported zip: what the files are and how to get, in Python, the logits Tabtune
 * computes. Tabtune classifies the mean-pooled token states (as the encoder's sentence-transformers pooling
 * says), while BertForSequenceClassification's own forward classifies the pooler's [CLS] output, so
 * `model(**batch).logits` is NOT Tabtune's prediction; the snippet below is.
 */
import type { DeltaManifest } from './layout';

const py = (s: string) => JSON.stringify(s); // a Python string literal (JSON's escapes are Python's)

/** `promptTokens`: the encoder's output may start with virtual tokens peft put before the text (prompt methods). */
function logitsSnippet(m: DeltaManifest, encoderCall: string, headCall: string, promptTokens = false): string {
  const mask = promptTokens
    ? [
        '        mask = batch["attention_mask"]  # [batch, seq]',
        '        virtual = hidden.shape[1] - mask.shape[1]  # soft tokens peft put before the text (0 for prefix tuning)',
        '        mask = torch.cat([mask.new_ones(mask.shape[0], virtual), mask], 1)  # the mask peft passes to BERT',
        '        mask = mask.unsqueeze(-1).to(hidden.dtype)  # [batch, virtual + seq, 1]',
      ]
    : ['        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]'];
  return [
    'def tabtune_logits(texts):',
    '    batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")',
    '    with torch.no_grad():',
    `        hidden = ${encoderCall}(**batch).last_hidden_state  # [batch, seq, ${m.encoder.hiddenSize}]`,
    ...mask,
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

const PEFT_PIP = 'pip install torch transformers==4.57.1 peft==0.17.1 safetensors';
const ADAPTERS_PIP = 'pip install torch adapters==1.2.0 transformers==4.51.3 safetensors';

/** The classifier.safetensors bullet and its loading lines. */
function classifierFile(m: DeltaManifest): { bullet: string[]; load: string[] } {
  const [h, n] = [m.encoder.hiddenSize, m.task.labels.length];
  return {
    bullet: [
      `- \`classifier.safetensors\`: a \`torch.nn.Linear(${h}, ${n})\` (\`weight\` [${n}, ${h}], \`bias\` [${n}]) on the mean-pooled`,
      '  token states (Tabtune\'s head; no head of the library pools that way).',
    ],
    load: [`classifier = torch.nn.Linear(${h}, ${n})`, 'classifier.load_state_dict(load_file("path/to/this/folder/classifier.safetensors"))'],
  };
}

const MANIFEST_BULLET = '- `tabtune.json`: Tabtune\'s metadata (labels, encoder fingerprint, config, metrics); the libraries ignore it.';

function headOf(m: DeltaManifest): string[] {
  const n = m.task.labels.length;
  return [
    `# ${m.task.name}: a Tabtune ${m.method.method} delta`,
    '',
    `Trained in Tabtune on the encoder \`${m.encoder.id}\` (sha256 of its model.safetensors: \`${m.encoder.fingerprint}\`)`,
    `for ${n} classes: ${m.task.labels.map((l) => `\`${l}\``).join(', ')}. Exported ${m.createdAt}.`,
    '',
    'Use it with exactly that encoder, in float32: its weights are the ones the delta was trained against.',
    'Tabtune ships an int8 copy of some encoders; in Python load the original float weights from the same model id.',
    '',
  ];
}

export function deltaReadme(m: DeltaManifest): string {
  const n = m.task.labels.length;
  const id = py(m.encoder.id);
  const tokenizer = `tokenizer = AutoTokenizer.from_pretrained(${id})`;
  const peftType = String((m.method as { method: string }).method);
  if (m.library === 'peft' && !m.files.classifier) {
    return [
      ...headOf(m),
      '## Files',
      '',
      `- \`adapter_config.json\`, \`adapter_model.safetensors\`: a peft ${peftType.toUpperCase()} adapter for`,
      '  `BertForSequenceClassification`, with the classifier saved under `modules_to_save`.',
      MANIFEST_BULLET,
      '',
      '## Load with peft',
      '',
      '```python',
      `# ${PEFT_PIP}`,
      'import torch',
      'from peft import PeftModel',
      'from transformers import AutoTokenizer, BertForSequenceClassification',
      '',
      `base = BertForSequenceClassification.from_pretrained(${id}, num_labels=${n})`,
      'model = PeftModel.from_pretrained(base, "path/to/this/folder").eval()',
      tokenizer,
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
  if (m.library === 'peft') {
    const head = classifierFile(m);
    return [
      ...headOf(m),
      '## Files',
      '',
      '- `adapter_config.json`, `adapter_model.safetensors`: a peft prompt-learning adapter (`prompt_embeddings`) for a',
      '  `BertModel`, task_type `FEATURE_EXTRACTION`: the model returns the token states and Tabtune pools them itself.',
      ...head.bullet,
      MANIFEST_BULLET,
      '',
      '## Load with peft and reproduce Tabtune\'s logits',
      '',
      'peft puts the virtual tokens before the text (prompt tuning, P-tuning: they are pooled too, as the mask peft passes',
      'to BERT covers them) or into every attention layer as keys and values (prefix tuning, P-tuning v2: only the text',
      'comes out). peft warns that it ignores token_type_ids for prompt methods; Tabtune does too (single sentences).',
      '',
      '```python',
      `# ${PEFT_PIP}`,
      'import torch',
      'from peft import PeftModel',
      'from safetensors.torch import load_file',
      'from transformers import AutoModel, AutoTokenizer',
      '',
      `model = PeftModel.from_pretrained(AutoModel.from_pretrained(${id}), "path/to/this/folder").eval()`,
      tokenizer,
      ...head.load,
      '',
      logitsSnippet(m, 'model', 'classifier', true),
      '```',
      '',
    ].join('\n');
  }
  if (m.library === 'adapters') {
    const head = classifierFile(m);
    return [
      ...headOf(m),
      '## Files',
      '',
      '- `adapter_config.json`, `adapter.safetensors`: an AdapterHub bottleneck adapter named `tabtune`, as `adapters`\'',
      '  `save_adapter(..., use_safetensors=True)` writes it; load it with `use_safetensors=True` (without it, `adapters`',
      '  looks for `pytorch_adapter.bin`).',
      ...head.bullet,
      MANIFEST_BULLET,
      '',
      '## Load with AdapterHub `adapters` and reproduce Tabtune\'s logits',
      '',
      '`adapters` 1.2.0 needs transformers 4.51.x, so it is best in a virtual environment of its own.',
      '',
      '```python',
      `# ${ADAPTERS_PIP}`,
      'import adapters',
      'import torch',
      'from safetensors.torch import load_file',
      'from transformers import AutoModel, AutoTokenizer',
      '',
      `encoder = AutoModel.from_pretrained(${id})`,
      'adapters.init(encoder)',
      'name = encoder.load_adapter("path/to/this/folder", use_safetensors=True)',
      'encoder.set_active_adapters(name)',
      'encoder.eval()',
      tokenizer,
      ...head.load,
      '',
      logitsSnippet(m, 'encoder', 'classifier'),
      '```',
      '',
    ].join('\n');
  }
  const head = classifierFile(m);
  return [
    ...headOf(m),
    '## Files',
    '',
    ...head.bullet,
    '  The encoder itself is unchanged (head-only training).',
    MANIFEST_BULLET,
    '',
    '## Load with torch and reproduce Tabtune\'s logits',
    '',
    '```python',
    `# ${PEFT_PIP}`,
    'import torch',
    'from safetensors.torch import load_file',
    'from transformers import AutoModel, AutoTokenizer',
    '',
    `encoder = AutoModel.from_pretrained(${id}).eval()`,
    tokenizer,
    ...head.load,
    '',
    logitsSnippet(m, 'encoder', 'classifier'),
    '```',
    '',
  ].join('\n');
}
