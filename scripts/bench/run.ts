/**
 * `npm run bench -- <name> [--json] [flags]`: runs scripts/bench/<name>.bench.ts.
 * Each benchmark prints what it measures as it goes; with --json its last line is one JSON object.
 */
const BENCHES = {
  encoder: () => import('./encoder.bench'),
  train: () => import('./train.bench'),
  kernels: () => import('./kernels.bench'),
  profile: () => import('./profile.bench'),
  sweep: () => import('./sweep.bench'),
} as const;
type BenchName = keyof typeof BENCHES;

const [benchName, ...rest] = process.argv.slice(2);
if (!benchName || !(benchName in BENCHES)) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [--json]`);
  process.exit(2);
}
const mod = await BENCHES[benchName as BenchName]();
const result = await mod.run(rest);
if (rest.includes('--json')) console.log(JSON.stringify(result));
// Dawn's Node binding keeps the event loop alive; a benchmark is done when it has printed.
process.exit(0);

export {};
