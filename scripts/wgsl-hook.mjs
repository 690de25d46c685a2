/**
 * Node module hooks that let plain Node (tsx: the benchmarks, scripts) import a WGSL file as Vite does:
 * `import code from './x.wgsl?raw'` gives the file's text as the default export. Vite and vitest do this
 * themselves; `npm run bench` passes `--import ./scripts/wgsl-hook.mjs` to tsx. (The esbuild bundle of the
 * benchmark does the same with a plugin: scripts/bench/bundle.mjs.)
 */
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const RAW_WGSL = /\.wgsl\?raw$/;

export async function resolve(specifier, context, nextResolve) {
  if (RAW_WGSL.test(specifier)) return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (RAW_WGSL.test(url)) {
    const text = readFileSync(fileURLToPath(url.replace(/\?raw$/, '')), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}

// Imported with --import: register this same file as the hooks module.
if (!globalThis.__tabtuneWgslHook) {
  globalThis.__tabtuneWgslHook = true;
  register(import.meta.url);
}
