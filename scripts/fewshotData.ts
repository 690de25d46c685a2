/**
 * The few-shot runner's datasets: a folder with train.jsonl and test.jsonl, one {"text", "label"} object per line
 * (`../shared/data/` has four). Read whole and checked before any model loads, so a wrong path, a broken line or a
 * label set the two files do not share stops the run with a message that names the file and line, not a stack.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Row {
  text: string;
  label: string | number;
}

/** What is wrong with a dataset, in words a person can act on. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** The rows of one JSON-lines text (`file` names it in errors); blank lines are skipped. */
export function parseJsonl(text: string, file: string): Row[] {
  const rows: Row[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DatasetError(`${file}, line ${i + 1}: not a JSON object (${line.trim().slice(0, 40)}${line.trim().length > 40 ? '…' : ''}).`);
    }
    const row = value as Partial<Row> | null;
    if (typeof row !== 'object' || row === null || typeof row.text !== 'string' || !(typeof row.label === 'string' || typeof row.label === 'number')) {
      throw new DatasetError(`${file}, line ${i + 1}: each line needs "text" (a string) and "label" (a string or a number).`);
    }
    rows.push({ text: row.text, label: row.label });
  });
  if (rows.length === 0) throw new DatasetError(`${file} has no examples.`);
  return rows;
}

export interface Dataset {
  train: Row[];
  test: Row[];
  /** The labels of train.jsonl, sorted: a label's index is its class. */
  names: string[];
}

/**
 * Checks that train.jsonl has at least two labels and `k` texts of each (the runner samples K per label), and that
 * test.jsonl has no label train.jsonl lacks (no classifier trained on train could predict it).
 */
export function checkDataset(train: Row[], test: Row[], k: number, dir: string): Dataset {
  const counts = new Map<string, number>();
  for (const r of train) counts.set(String(r.label), (counts.get(String(r.label)) ?? 0) + 1);
  const names = [...counts.keys()].sort();
  if (names.length < 2) throw new DatasetError(`${join(dir, 'train.jsonl')} has one label (${names[0]}); a classifier needs two or more.`);
  const short = names.filter((n) => counts.get(n)! < k);
  if (short.length > 0) {
    throw new DatasetError(`--k ${k} takes ${k} training texts of each label, but ${join(dir, 'train.jsonl')} has fewer of ${short.map((n) => `"${n}" (${counts.get(n)})`).join(', ')}. Use a smaller --k.`);
  }
  const unknown = [...new Set(test.map((r) => String(r.label)).filter((n) => !counts.has(n)))];
  if (unknown.length > 0) {
    throw new DatasetError(`${join(dir, 'test.jsonl')} has labels that ${join(dir, 'train.jsonl')} lacks: ${unknown.map((n) => `"${n}"`).join(', ')}. The two files must share one label set.`);
  }
  return { train, test, names };
}

/** Reads and checks `<dir>/train.jsonl` and `<dir>/test.jsonl`. */
export function readDataset(dir: string, k: number): Dataset {
  const read = (name: string) => {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DatasetError(`Cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code ?? String(error)}). --data takes a folder with train.jsonl and test.jsonl.`);
    }
    return parseJsonl(text, file);
  };
  return checkDataset(read('train.jsonl'), read('test.jsonl'), k, dir);
}
