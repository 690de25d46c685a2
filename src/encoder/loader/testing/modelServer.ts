/**
 * Test-only: a local HTTP server (node:http on 127.0.0.1, a random port) that serves model files, either in the
 * Hugging Face Hub's layout `/{org}/{name}/resolve/{revision}/{file}` or as a plain folder `/models/{name}/{file}`.
 * It can misbehave on purpose (a Content-Length that lies, a status code) and counts requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Misbehaviour =
  /** Sends the full Content-Length, then only half the body, then closes the connection. */
  | { cutBodyAt: number }
  /** Answers with this status and no body. */
  | { status: number };

export interface ModelServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Paths requested, in order (e.g. `/org/tiny/resolve/main/config.json`). */
  requests: string[];
  /** Serves `files` at `/{repo}/resolve/{revision}/{file}`; returns the Hub endpoint to put in a ModelSource. */
  addHubModel(repo: string, files: Record<string, ArrayBuffer>, revision?: string): string;
  /** Serves `files` under `folder` (e.g. '/models/tiny/'); returns the base URL for a 'url' ModelSource. */
  addFolder(folder: string, files: Record<string, ArrayBuffer>): string;
  /** Makes one path misbehave. */
  misbehave(path: string, how: Misbehaviour): void;
  close(): Promise<void>;
}

export async function startModelServer(): Promise<ModelServer> {
  const routes = new Map<string, ArrayBuffer>();
  const faults = new Map<string, Misbehaviour>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const fault = faults.get(path);
    const data = routes.get(path);
    if (fault && 'status' in fault) {
      res.writeHead(fault.status).end();
    } else if (!data) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
    } else if (fault && 'cutBodyAt' in fault) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) });
      res.write(new Uint8Array(data, 0, fault.cutBodyAt), () => res.destroy());
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) });
      res.end(new Uint8Array(data));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mount = (base: string, files: Record<string, ArrayBuffer>) => {
    for (const [file, data] of Object.entries(files)) routes.set(`${base}${file}`, data);
  };
  return {
    origin,
    requests,
    addHubModel(repo, files, revision = 'main') {
      mount(`/${repo}/resolve/${revision}/`, files);
      return origin;
    },
    addFolder(folder, files) {
      mount(folder, files);
      return `${origin}${folder}`;
    },
    misbehave(path, how) {
      faults.set(path, how);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
