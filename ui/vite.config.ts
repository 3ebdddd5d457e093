import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createLogger, defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';

const flagsDir = join(dirname(createRequire(import.meta.url).resolve('country-flag-icons')), '3x2');

/**
 * Prints what a first visit downloads, gzipped: every JS and CSS file plus index.html. Flags are separate
 * files fetched only for the countries present, so they are counted apart.
 */
function bundleSize(): Plugin {
  let outDir = 'dist';
  return {
    name: 'sss-bundle-size',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const assets = join(outDir, 'assets');
      const files = ['index.html', ...readdirSync(assets).map((f) => join('assets', f))];
      let app = 0;
      let flags = 0;
      let flagCount = 0;
      for (const file of files) {
        const gz = gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length;
        if (file.endsWith('.svg')) {
          flags += gz;
          flagCount += 1;
        } else app += gz;
      }
      const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
      console.log(
        `\nui bundle, gzip: ${kib(app)} (index.html + JS + CSS); flags: ${flagCount} files, ${kib(flags)} in all, fetched only for the countries present`,
      );
    },
  };
}

// Vite lists every emitted file; the ~260 flag files would bury the rest, so their lines are left out.
const logger = createLogger();
const info = logger.info.bind(logger);
const flagLine = /\b[A-Z]{2}(?:-[A-Z]+)?-[\w-]{8}\.svg\b/;
logger.info = (msg, options) => {
  const kept = msg
    .split('\n')
    .filter((line) => !flagLine.test(line))
    .join('\n');
  if (kept.trim()) info(kept, options);
};

export default defineConfig({
  customLogger: logger,
  // Relative asset URLs and hash routing: the page also works under a path prefix (Ingress, kubectl proxy).
  base: './',
  plugins: [solid(), bundleSize()],
  resolve: { alias: { '@flags': flagsDir } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The dashboard's Content-Security-Policy is default-src 'self': data: URIs would be blocked, so every
    // asset stays a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
