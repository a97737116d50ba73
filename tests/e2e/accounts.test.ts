// Accounts end to end, in a real browser against the real appliance: the
// first-run screen, the first administrator, adding a member, logging in by
// extension, the admin gate, a session surviving a reload, a wrong password,
// and what disabling an account and demoting the last admin do.
// The tests run in order and build on each other; each gets a fresh browser
// context (no shared cookies or localStorage).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startAppliance, type Appliance } from '../helpers/appliance';

const ADMIN = { name: 'Ada Admin', extension: '100', email: 'ada@example.test', password: 'ada-password-1' };
const MEMBER = { name: 'Max Member', extension: '201', email: 'max@example.test', password: 'max-password-1' };

describe('accounts', () => {
  let app: Appliance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({ baseURL: app.url });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  const mainNav = () => page.getByRole('navigation', { name: 'Main' });

  /** logIn fills the login form and submits it. */
  async function logIn(identity: string, password: string) {
    await page.getByLabel('Email or extension').fill(identity);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  it('a fresh install opens the first-admin screen, which signs the new admin in', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();

    await page.getByLabel('Name').fill(ADMIN.name);
    await page.getByLabel('Extension').fill(ADMIN.extension);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();

    // the next steps come first, and each can be skipped
    await page.waitForURL('**/admin/start');
    await page.getByRole('heading', { name: 'Connect an SMSC or GSM gateway' }).waitFor();
    await page.getByRole('link', { name: 'Skip for now: go to Messages' }).click();
    await page.waitForURL('**/messages');
    await page.getByText('No conversations yet.', { exact: false }).waitFor();
    await mainNav().getByRole('link', { name: 'Admin' }).waitFor();
    expect(await mainNav().getByRole('link', { name: 'Messages' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('banner').textContent()).toContain(`${ADMIN.name}`);
    expect(await page.getByRole('banner').textContent()).toContain(ADMIN.extension);
  });

  it('the admin adds a member on Admin → Users, then logs out', async () => {
    await page.goto('/admin/users');
    await page.waitForURL('**/login?next=%2Fadmin%2Fusers');
    await logIn(ADMIN.email, ADMIN.password);
    await page.waitForURL('**/admin/users');
    await page.getByRole('row', { name: new RegExp(ADMIN.name) }).waitFor();

    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await dialog.getByLabel('Name').fill(MEMBER.name);
    await dialog.getByLabel('Extension').fill(MEMBER.extension);
    await dialog.getByLabel('Email').fill(MEMBER.email);
    await dialog.getByLabel('Role').selectOption('member');
    await dialog.getByLabel('Password', { exact: true }).fill(MEMBER.password);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: new RegExp(MEMBER.name) });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(0, 4).map((c) => c.trim())).toEqual([MEMBER.extension, MEMBER.email, 'Member', 'Active']);
    // sorted by extension: 100 before 201
    const names = await page.getByRole('rowheader').allTextContents();
    expect(names.map((n) => n.replace('(you)', '').trim())).toEqual([ADMIN.name, MEMBER.name]);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.pathname === '/login' && url.search === '');
    expect(await page.evaluate(() => localStorage.getItem('pocketbase_auth'))).toBeNull();
  });

  it('once an administrator exists, /setup leads to login', async () => {
    await page.goto('/setup');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
  });

  it('a member logs in by extension, has no Admin link, is refused on /admin/users, and stays signed in after a reload', async () => {
    await page.goto('/login');
    await logIn(MEMBER.extension, MEMBER.password);
    await page.waitForURL('**/messages');
    await mainNav().getByRole('link', { name: 'Phonebook' }).waitFor();
    expect(await mainNav().getByRole('link', { name: 'Admin' }).count()).toBe(0);
    expect(await page.getByRole('banner').textContent()).toContain(MEMBER.name);

    const userRequests: string[] = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      // the shell's extension directory (names for the chat) asks for a few fields; the admin list asks for all
      if (url.pathname.startsWith('/api/collections/users/records') && !url.searchParams.has('fields')) userRequests.push(req.url());
    });
    await page.goto('/admin/users');
    await page.getByText('Only administrators can open this page.').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    expect(userRequests).toEqual([]);

    await page.reload();
    await page.getByText('Only administrators can open this page.').waitFor();
    expect(await page.getByRole('banner').textContent()).toContain(MEMBER.name);
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    expect(userRequests).toEqual([]);
  });

  it('a wrong password shows the error and signs nobody in', async () => {
    await page.goto('/messages');
    await page.waitForURL((url) => url.pathname === '/login');
    await logIn(MEMBER.extension, 'not-the-password');
    await page.getByRole('alert').filter({ hasText: 'Wrong email/extension or password.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByLabel('Email or extension').inputValue()).toBe(MEMBER.extension);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
  });

  it('the admin disables the member, whose login then says why, and cannot demote the last admin', async () => {
    await page.goto('/login');
    await logIn(ADMIN.extension, ADMIN.password);
    await mainNav().getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL('**/admin/users');

    await page.getByRole('button', { name: `Disable ${MEMBER.name}` }).click();
    await page.getByRole('button', { name: `Enable ${MEMBER.name}` }).waitFor();
    await page.getByRole('row', { name: new RegExp(MEMBER.name) }).getByText('Disabled').waitFor();

    await page.getByRole('button', { name: `Edit ${ADMIN.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${ADMIN.name}` });
    await dialog.getByLabel('Role').selectOption('member');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'At least one active administrator must remain.' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const member = await (await browser.newContext({ baseURL: app.url })).newPage();
    try {
      await member.goto('/login');
      await member.getByLabel('Email or extension').fill(MEMBER.email);
      await member.getByLabel('Password').fill(MEMBER.password);
      await member.getByRole('button', { name: 'Log in' }).click();
      await member.getByRole('alert').filter({ hasText: 'This account is disabled. Ask an administrator.' }).waitFor();
      expect(new URL(member.url()).pathname).toBe('/login');
    } finally {
      await member.context().close();
    }
  });
});
