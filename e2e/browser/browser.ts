// Debian's Chromium driven by playwright-core. findTool skips the browser tests when chromium is missing here,
// and fails them under CI=true.

import { type Browser, chromium } from 'playwright-core';
import { findTool } from '../support/tools';

export const chromiumPath = findTool('chromium');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
