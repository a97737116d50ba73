// Debian's Chromium for end-to-end tests (no browser download: playwright-core
// drives the system binary).
import { chromium, type Browser } from 'playwright-core';

/** launchBrowser starts /usr/bin/chromium headless with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
  });
}
