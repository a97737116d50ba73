// Temporary stand-in for launchBrowser until tests/helpers/appliance.ts has it.
import { chromium, type Browser } from 'playwright-core';

/** launchBrowser starts Debian's Chromium headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}
