// The audit log end to end, in a real browser against the real appliance:
// an admin resets a member's password on Admin → Users, the member signs in
// with it and is told who reset it, when and from where (once), and the
// admin finds the reset on Admin → Audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

describe('audit log', () => {
  let app: Appliance;
  let browser: Browser;
  let admin: SignedIn, member: SignedIn;

  /** signIn opens a fresh context and logs in through the login page. */
  async function signIn(extension: string, password: string): Promise<Page> {
    const context = await browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    await logInAs(page, extension, password);
    return page;
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    [admin, member] = await Promise.all([
      createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' }),
      createUser(app, { name: 'Max Member', extension: '201' })
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a reset password is shown to its owner once, and listed on the Audit page', async () => {
    const adminPage = await signIn('100', admin.password);
    // the admin sees no notice of their own
    expect(await adminPage.getByRole('heading', { name: 'Your password was reset' }).count()).toBe(0);
    await adminPage.goto('/admin/users');
    await adminPage.getByRole('button', { name: 'Reset password of Max Member' }).click();
    const dialog = adminPage.getByRole('dialog', { name: 'Reset password of Max Member' });
    await dialog.getByLabel('New password').fill('max-new-password-1');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const memberPage = await signIn('201', 'max-new-password-1');
    await memberPage.getByRole('heading', { name: 'Your password was reset' }).waitFor();
    const text = await memberPage.getByRole('alert').filter({ hasText: 'reset your password' }).textContent();
    expect(text).toMatch(/An administrator, Ada Admin, reset your password on .+ from 127\.0\.0\.1\. If you did not expect this, tell them\./);
    await memberPage.getByRole('button', { name: 'Dismiss' }).click();
    await memberPage.getByRole('heading', { name: 'Your password was reset' }).waitFor({ state: 'hidden' });
    // once acknowledged, it stays gone
    const asked = memberPage.waitForResponse((r) => r.url().endsWith('/api/me/notices'));
    await memberPage.reload();
    await asked;
    await memberPage.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await memberPage.getByRole('heading', { name: 'Your password was reset' }).count()).toBe(0);

    await adminPage.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
    await adminPage.waitForURL('**/admin/audit');
    const reset = adminPage.getByRole('row', { name: /Password reset/ });
    await reset.waitFor();
    const cells = (await reset.getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(cells.slice(1)).toEqual(['Ada Admin', 'Password reset', 'Max Member (201)', '', '127.0.0.1']);
    // the member's dismissal is logged too, and appeared live
    await adminPage.getByRole('row', { name: /Reset notice dismissed/ }).waitFor();

    await adminPage.getByLabel('Action').selectOption('password_reset');
    await adminPage.getByRole('row', { name: /Reset notice dismissed/ }).waitFor({ state: 'hidden' });
    expect(await adminPage.getByRole('row', { name: /Password reset/ }).count()).toBe(1);
  });
});
