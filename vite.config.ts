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
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
});
