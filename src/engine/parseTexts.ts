/**
 * Turns what a person pastes or uploads into rows of { text, label? }: pure functions, no DOM, no storage.
 * Formats: plain lines (paste, .txt), delimited tables (.csv, .tsv: RFC 4180 quoting, fields with commas,
 * newlines and doubled quotes), JSON Lines ({"text", "label"?}). A BOM and CRLF line ends are accepted; a
 * binary file is refused. Nothing is dropped silently: empty lines, duplicates and malformed lines are counted
 * and reported with line numbers.
 */

export const TEXT_FORMATS = { lines: 'lines', csv: 'csv', tsv: 'tsv', jsonl: 'jsonl' } as const;
export type TextFormat = keyof typeof TEXT_FORMATS;

/** One parsed record: the text, and the raw label value when the source has one. */
export interface ParsedRow {
  text: string;
  label?: string;
  /** 1-based line in the source where the record starts. */
  line: number;
}

export interface MalformedLine {
  line: number;
  reason: string;
}

/** A delimited table before a column is chosen. */
export interface ParsedTable {
  header: string[];
  /** Data records (header excluded), each with its starting line. */
  records: Array<{ cells: string[]; line: number }>;
  malformed: MalformedLine[];
}

export interface TextsReport {
  rows: ParsedRow[];
  empty: number;
  /** Rows whose text repeats an earlier row (or one already stored); kept out of `rows`. */
  duplicates: number;
  malformed: MalformedLine[];
}

/** Thrown for input that is not text at all; the message says what to do. */
export class BinaryFileError extends Error {
  override readonly name = 'BinaryFileError';
  constructor(fileName: string) {
    super(`"${fileName}" looks like a binary file, not text. Upload a .txt, .csv, .tsv or .jsonl file saved as UTF-8.`);
  }
}

/** Picks a format from a file name; anything unknown is read as one text per line. */
export function formatForFileName(name: string): TextFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return 'lines';
}

/** True when the first bytes hold NUL bytes or many control characters: an image, a zip, a model. */
export function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  if (sample.length === 0) return false;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control / sample.length > 0.1;
}

/** Decodes UTF-8 bytes, refusing binary input; strips a BOM. */
export function decodeText(bytes: Uint8Array, fileName: string): string {
  if (looksBinary(bytes)) throw new BinaryFileError(fileName);
  return stripBom(new TextDecoder('utf-8').decode(bytes));
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses a delimited table (first record is the header). An unclosed quote is reported, not guessed at. */
export function parseTable(source: string, delimiter: ',' | '\t'): ParsedTable {
  const text = stripBom(source);
  const all: Array<{ cells: string[]; line: number }> = [];
  const malformed: MalformedLine[] = [];
  let cells: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quoteStartLine = 0;
  let fieldStarted = false; // something (even an empty quoted field) was read for this record
  const endRecord = () => {
    cells.push(field);
    if (!(cells.length === 1 && cells[0] === '' && !fieldStarted)) all.push({ cells, line: recordLine });
    else all.push({ cells: [], line: recordLine }); // an empty line: kept so it can be counted
    cells = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        if (ch === '\r' && text[i + 1] === '\n') continue;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      quoteStartLine = line;
      fieldStarted = true;
    } else if (ch === delimiter) {
      cells.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (inQuotes) {
    malformed.push({ line: quoteStartLine, reason: 'a quoted field is never closed' });
  } else if (field !== '' || cells.length > 0 || fieldStarted) {
    endRecord();
  }
  const headerIndex = all.findIndex((r) => r.cells.length > 0);
  const header = headerIndex >= 0 ? all[headerIndex].cells.map((c) => c.trim()) : [];
  const records: ParsedTable['records'] = [];
  for (const record of all.slice(headerIndex + 1)) {
    if (record.cells.length > 0 && record.cells.length !== header.length) {
      malformed.push({ line: record.line, reason: `expected ${header.length} fields, found ${record.cells.length}` });
    } else records.push(record);
  }
  malformed.sort((a, b) => a.line - b.line);
  return { header, records, malformed };
}

/** Takes the chosen columns out of a table; labelColumn -1 means none. */
export function rowsFromTable(table: ParsedTable, textColumn: number, labelColumn = -1): { rows: ParsedRow[]; empty: number } {
  const rows: ParsedRow[] = [];
  let empty = 0;
  for (const { cells, line } of table.records) {
    const text = (cells[textColumn] ?? '').trim();
    if (!text) {
      empty++;
      continue;
    }
    const label = labelColumn >= 0 ? (cells[labelColumn] ?? '').trim() : '';
    rows.push(label ? { text, label, line } : { text, line });
  }
  return { rows, empty };
}

/** One text per line (paste, .txt). */
export function rowsFromLines(source: string): { rows: ParsedRow[]; empty: number } {
  const rows: ParsedRow[] = [];
  let empty = 0;
  stripBom(source)
    .split(/\r?\n|\r/)
    .forEach((raw, index) => {
      const text = raw.trim();
      if (text) rows.push({ text, line: index + 1 });
      else empty++;
    });
  // A final newline is not an empty line.
  if (/(\r?\n|\r)$/.test(source) || source === '') empty = Math.max(0, empty - 1);
  return { rows, empty };
}

/** JSON Lines: each line an object with a string "text" and optionally a string or number "label". */
export function rowsFromJsonl(source: string): { rows: ParsedRow[]; empty: number; malformed: MalformedLine[] } {
  const rows: ParsedRow[] = [];
  const malformed: MalformedLine[] = [];
  let empty = 0;
  const lines = stripBom(source).split(/\r?\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) {
      empty++;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      malformed.push({ line, reason: 'not valid JSON' });
      return;
    }
    if (typeof value !== 'object' || value === null || typeof (value as { text?: unknown }).text !== 'string') {
      malformed.push({ line, reason: 'no "text" string' });
      return;
    }
    const { text: rawText, label } = value as { text: string; label?: unknown };
    const text = rawText.trim();
    if (!text) {
      empty++;
      return;
    }
    if (typeof label === 'string' || typeof label === 'number') rows.push({ text, label: String(label), line });
    else rows.push({ text, line });
  });
  return { rows, empty, malformed };
}

/** Removes repeats (within the rows, and of `existing` texts), counting them. Order is kept. */
export function dedupe(rows: ParsedRow[], existing: Iterable<string> = []): { rows: ParsedRow[]; duplicates: number } {
  const seen = new Set(existing);
  const out: ParsedRow[] = [];
  let duplicates = 0;
  for (const row of rows) {
    if (seen.has(row.text)) duplicates++;
    else {
      seen.add(row.text);
      out.push(row);
    }
  }
  return { rows: out, duplicates };
}

/** Maps raw label values onto a task's labels (case-insensitively, by name or 1-based number). */
export function matchLabel(raw: string | undefined, labels: readonly string[]): number | null {
  if (raw === undefined || raw === '') return null;
  const wanted = raw.trim().toLowerCase();
  const byName = labels.findIndex((l) => l.toLowerCase() === wanted);
  if (byName >= 0) return byName;
  return null;
}
