// Debian's Chromium driven by playwright-core. findTool skips the browser tests when chromium is missing here,
// and fails them under CI=true.

import { createServer } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { findTool } from '../support/tools';

export const chromiumPath = findTool('chromium');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A loopback port that was free a moment ago, for a dashboard that must come back on the same port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
