// Debian's Chromium for end-to-end tests (no browser download: playwright-core
// drives the system binary).
import { chromium, type Browser, type Page } from 'playwright-core';

/** launchBrowser starts /usr/bin/chromium headless with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
  });
}

/**
 * logInAs signs in through the login page as a person does (extension or
 * email, password, "Log in") and waits for the inbox.
 */
export async function logInAs(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email or extension').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/messages');
}
