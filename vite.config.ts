import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Cross-origin isolation lets the WASM backend use threads (SharedArrayBuffer).
 * Both the dev server and `vite preview` send these headers.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, headers: isolationHeaders },
  preview: { port: 4173, strictPort: true, headers: isolationHeaders },
  worker: {
    format: 'es',
    // tfjs-backend-wasm starts its WASM threads from the *source text* of its bundled Emscripten factory
    // (`factory.toString()` evaluated inside each pthread worker). Mangling renames identifiers that text
    // refers to, and the threads die with "ReferenceError: e is not defined". Keep the code as written; only whitespace goes.
    rolldownOptions: { output: { minify: { mangle: false, compress: false } } },
  },
  optimizeDeps: {
    // Pre-bundle tfjs up front, worker included: discovering it when the worker first starts makes the dev
    // server re-optimise and reload the page. tfjs-backend-wasm must be pre-bundled too: its ESM build imports
    // CommonJS Emscripten files, and it must share the one tfjs-core instance. The .wasm binaries are passed
    // to it as URLs (src/engine/wasmAssets.ts), so bundling does not move them.
    entries: ['index.html', 'workers/*.worker.ts'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'],
  },
});
