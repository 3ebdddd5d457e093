// `npm run bench [name ...]`: runs the named benchmarks (all when none is named) and prints their figures.
// Each benchmark is a module in this folder exporting `run(): Promise<void>`.

const benchmarks: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  fanout: () => import('./fanout'),
  'fanout-write': () => import('./fanout-write'),
  agent: () => import('./agent-footprint'),
  ui: () => import('./ui-load'),
  cluster: () => import('./cluster'),
  history: () => import('./history'),
  alerts: () => import('./alerts'),
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(benchmarks);
for (const name of names) {
  const load = benchmarks[name];
  if (!load) {
    console.error(`unknown benchmark "${name}"; valid names: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(1);
  }
  console.log(`\n== ${name} ==`);
  await (await load()).run();
}

export {};
