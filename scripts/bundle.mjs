// Bundles a workspace's Node program, src/main.ts, into dist/main.js: our own modules and @sss/protocol are
// inlined; the packages in its package.json "dependencies" stay in node_modules (npm ci --omit=dev installs them).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  external: Object.keys(pkg.dependencies ?? {}),
  // --version prints the workspace's version without reading package.json at run time.
  define: { SSS_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
