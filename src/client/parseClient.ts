/**
 * The one module that owns the text-parsing Worker (workers/parse.worker.ts): protocol messages
 * (src/protocol/messages.ts) as promise-returning methods. studioData.ts calls it and feeds the store.
 */
import { assertNever, type ParseEvent, type ParseRequest, type ParseRequestType, type ParseResults, type ParseTarget, type ParseWorkerMessage, type WireError } from '../protocol/messages';

/** What the client needs of a Worker (a fake that calls ParseHandler in tests). */
export interface ParseWorkerPort {
  postMessage(message: ParseRequest, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ParseWorkerMessage>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export function startParseWorker(): ParseWorkerPort {
  return new Worker(new URL('../../workers/parse.worker.ts', import.meta.url), { type: 'module', name: 'tabtune-parse' });
}

/** The error a request rejects with: the worker's error (BinaryFileError, EmptyFileError...), by name. */
export class ParseWorkerError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = wire.name;
  }
}

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;

export class ParseClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void; onEvent?: (event: ParseEvent) => void }>();

  constructor(private readonly worker: ParseWorkerPort) {
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      const error = new Error(`The text reader stopped unexpectedly (${event.message || 'no details'}). Reload the page and try again.`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  /** `onEvent` hears 'parsed' and every 'saved' chunk of this request. */
  readFile(file: Blob, fileName: string, target: ParseTarget, onEvent: (event: ParseEvent) => void): Promise<ParseResults['readFile']> {
    return this.request<'readFile'>({ type: 'readFile', file, fileName, ...target }, onEvent);
  }

  readText(text: string, source: string, target: ParseTarget, onEvent: (event: ParseEvent) => void): Promise<ParseResults['readText']> {
    return this.request<'readText'>({ type: 'readText', text, source, ...target }, onEvent);
  }

  importTable(tableId: number, textColumn: number, labelColumn: number, target: ParseTarget, onEvent: (event: ParseEvent) => void): Promise<ParseResults['importTable']> {
    return this.request<'importTable'>({ type: 'importTable', tableId, textColumn, labelColumn, ...target }, onEvent);
  }

  dropTable(tableId: number): Promise<ParseResults['dropTable']> {
    return this.request<'dropTable'>({ type: 'dropTable', tableId });
  }

  private request<K extends ParseRequestType>(message: Without<Extract<ParseRequest, { type: K }>>, onEvent?: (event: ParseEvent) => void): Promise<ParseResults[K]> {
    const id = this.nextId++;
    return new Promise<ParseResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject, onEvent });
      this.worker.postMessage({ ...message, id } as ParseRequest, []);
    });
  }

  private receive(message: ParseWorkerMessage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'parsed' || message.type === 'saved') {
      pending.onEvent?.(message);
      return;
    }
    this.pending.delete(message.id);
    switch (message.type) {
      case 'result':
        pending.resolve(message.result as never);
        return;
      case 'error':
        pending.reject(new ParseWorkerError(message.error));
        return;
      default:
        assertNever(message, 'parse response');
    }
  }
}

let client: ParseClient | null = null;

/** The page's parse client, started on first use. */
export function getParseClient(): ParseClient {
  client ??= new ParseClient(startParseWorker());
  return client;
}
