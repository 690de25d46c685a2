/**
 * Load another checkpoint: the bundled MiniLM, a Hugging Face Hub id (needs internet), or files picked from
 * disk (config.json, model.safetensors, tokenizer.json; optionally 1_Pooling/config.json via a folder).
 */
import { useId, useState, type FormEvent } from 'react';
import { BUNDLED_MODEL, getEncoderClient } from '../../client';
import type { ModelSource } from '../../protocol/messages';
import { useStudio } from '../../state/store';
import { Panel } from '../common/Panel';

const SOURCE_KINDS = {
  bundled: 'Bundled',
  hub: 'Hugging Face',
  files: 'Local files',
} as const;
type SourceKind = keyof typeof SOURCE_KINDS;

const REQUIRED_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'] as const;

/** The attributes that let a file input pick a whole folder (not in React's typings). */
const FOLDER_PICKER_ATTRS = { webkitdirectory: '', directory: '' } as Record<string, string>;

function load(source: ModelSource) {
  void getEncoderClient()
    .loadModel(source)
    .catch(() => undefined); // the error is in the store and shown in the Model panel
}

export function LoadModelPanel() {
  const [kind, setKind] = useState<SourceKind>('bundled');
  const busy = useStudio((s) => s.encoder.loading !== null);
  const groupName = useId();

  return (
    <Panel title="Load another model" testId="load.panel" description="The current model stays in use until the new one is ready.">
      <fieldset className="segmented">
        <legend className="visually-hidden">Model source</legend>
        {(Object.keys(SOURCE_KINDS) as SourceKind[]).map((k) => (
          <label key={k} className="segmented__option">
            <input type="radio" name={groupName} value={k} checked={kind === k} onChange={() => setKind(k)} data-testid={`load.kind.${k}`} />
            <span>{SOURCE_KINDS[k]}</span>
          </label>
        ))}
      </fieldset>
      {kind === 'bundled' ? <BundledForm busy={busy} /> : kind === 'hub' ? <HubForm busy={busy} /> : <FilesForm busy={busy} />}
    </Panel>
  );
}

function BundledForm({ busy }: { busy: boolean }) {
  return (
    <div className="stack">
      <p className="small muted">
        {BUNDLED_MODEL.id}: a 6-layer, 384-wide sentence encoder shipped with the studio.
      </p>
      <div>
        <button type="button" className="button" disabled={busy} onClick={() => load(BUNDLED_MODEL)} data-testid="load.bundled">
          Load {BUNDLED_MODEL.id}
        </button>
      </div>
    </div>
  );
}

function HubForm({ busy }: { busy: boolean }) {
  const [modelId, setModelId] = useState('sentence-transformers/all-MiniLM-L6-v2');
  const [revision, setRevision] = useState('');
  const idField = useId();
  const revField = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = modelId.trim();
    if (!id) return;
    load({ kind: 'hub', id, ...(revision.trim() ? { revision: revision.trim() } : {}) });
  };
  return (
    <form className="stack" onSubmit={submit} data-testid="load.hub">
      <div className="field">
        <label htmlFor={idField}>Model id</label>
        <input id={idField} type="text" value={modelId} onChange={(e) => setModelId(e.target.value)} placeholder="org/name" spellCheck={false} autoComplete="off" data-testid="load.hub.id" />
      </div>
      <div className="field">
        <label htmlFor={revField}>Revision (optional)</label>
        <input id={revField} type="text" value={revision} onChange={(e) => setRevision(e.target.value)} placeholder="main" spellCheck={false} autoComplete="off" data-testid="load.hub.revision" />
      </div>
      <p className="small muted">Downloads from huggingface.co (needs internet). BERT-family encoders only.</p>
      <div>
        <button type="submit" className="button" disabled={busy || !modelId.trim()} data-testid="load.hub.submit">
          Load from the Hub
        </button>
      </div>
    </form>
  );
}

function FilesForm({ busy }: { busy: boolean }) {
  const [files, setFiles] = useState<Record<string, File>>({});
  const filesField = useId();
  const folderField = useId();
  const names = Object.keys(files);
  const has = (name: string) => names.some((n) => n === name || n.endsWith(`/${name}`));

  const pick = (list: FileList | null) => {
    const picked: Record<string, File> = {};
    for (const file of Array.from(list ?? [])) picked[file.webkitRelativePath || file.name] = file;
    setFiles(picked);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const folder = names[0]?.includes('/') ? names[0].split('/')[0] : 'local model';
    load({ kind: 'files', id: folder, files });
  };

  return (
    <form className="stack" onSubmit={submit} data-testid="load.files">
      <div className="field">
        <label htmlFor={filesField}>Pick files</label>
        <input id={filesField} type="file" multiple accept=".json,.safetensors" onChange={(e) => pick(e.target.files)} data-testid="load.files.input" />
      </div>
      <div className="field">
        <label htmlFor={folderField}>…or a model folder</label>
        <input id={folderField} type="file" {...FOLDER_PICKER_ATTRS} onChange={(e) => pick(e.target.files)} data-testid="load.files.folder" />
      </div>
      <ul className="checklist small" aria-label="Required files">
        {REQUIRED_FILES.map((name) => (
          <li key={name} className={has(name) ? 'checklist__ok' : 'checklist__missing'}>
            <span aria-hidden="true">{has(name) ? '✓' : '○'}</span> {name}
            <span className="visually-hidden">{has(name) ? ' (picked)' : ' (not picked)'}</span>
          </li>
        ))}
      </ul>
      <div>
        <button type="submit" className="button" disabled={busy || names.length === 0} data-testid="load.files.submit">
          Load picked files
        </button>
      </div>
    </form>
  );
}
