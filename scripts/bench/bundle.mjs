/**
 * Bundles the benchmark runner into one ES module for a machine that has only Node and the `webgpu` package
 * (a real GPU: Dawn + the vendor's Vulkan driver), e.g.
 *
 *   node scripts/bench/bundle.mjs            # (or npm run bench:bundle) writes .cache/gpu/bench.mjs
 *   node scripts/bench/bundle.mjs .gpu/fewshot.mjs scripts/fewshot.ts   # any other entry point, e.g. the few-shot runner
 *   node /opt/b/bench.mjs kernels --json     # run from a copy of the repo root (the model is read from
 *                                            # public/models/ under the working directory)
 *
 * `import 'webgpu'` is resolved from the bundle's own folder upwards (ES modules ignore NODE_PATH): put the
 * bundle where a node_modules/webgpu sits beside or above it (e.g. /opt/b/node_modules/webgpu).
 *
 * `webgpu` stays external (a native module); `.wgsl?raw` imports become their text, as under Vite.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outfile = resolve(root, process.argv[2] ?? '.cache/gpu/bench.mjs');

/** `import code from './x.wgsl?raw'` -> the file's text. */
const rawWgsl = {
  name: 'raw-wgsl',
  setup(b) {
    b.onResolve({ filter: /\.wgsl\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.replace(/\?raw$/, '')), namespace: 'raw-wgsl' }));
    b.onLoad({ filter: /.*/, namespace: 'raw-wgsl' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

await build({
  entryPoints: [resolve(root, process.argv[3] ?? 'scripts/bench/run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu'],
  outfile,
  plugins: [rawWgsl],
  // Bundled CommonJS dependencies call require(), and tfjs-backend-wasm's loader reads __dirname: give the ES module both.
  banner: {
    js: "import { createRequire as __tabtuneCreateRequire } from 'node:module'; import { fileURLToPath as __tabtuneToPath } from 'node:url'; import { dirname as __tabtuneDirname } from 'node:path'; const require = __tabtuneCreateRequire(import.meta.url); const __filename = __tabtuneToPath(import.meta.url); const __dirname = __tabtuneDirname(__filename);",
  },
  logLevel: 'warning',
});
console.log(`wrote ${outfile}`);
