// The phonebook end to end, in Chromium against the real appliance: import
// a CSV (column mapping, preview, a rejected row with its reason), find a
// contact by part of a number in + New → SMS, start a thread from the
// phonebook's message icon, see the name in the sidebar and the header, and
// rename the contact while a second browser's sidebar follows. The tests run
// in order and build on each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

interface Person {
  account: SignedIn;
  context: BrowserContext;
  page: Page;
}

const SHOTS = process.env.SCREENSHOTS ?? '';

describe('the phonebook', () => {
  let app: Appliance;
  let browser: Browser;
  let ada: Person, bob: Person;
  const dir = mkdtempSync(join(tmpdir(), 'phonebook-e2e-'));

  async function signIn(account: SignedIn): Promise<Person> {
    const context = await browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return { account, context, page };
  }

  const shot = async (p: Person, name: string) => {
    if (SHOTS) await p.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const conversations = (p: Person) => p.page.getByRole('navigation', { name: 'Conversations' });

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    const su = app.superuser;
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
    const [a, b] = await Promise.all([
      createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' }),
      createUser(app, { name: 'Bob', extension: '202' }),
    ]);
    for (const u of [a, b]) await su.collection('users').update(u.record.id, { sms_numbers: [main.id], default_number: main.id });
    [ada, bob] = await Promise.all([signIn(a), signIn(b)]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('imports a CSV into the shared phonebook with a preview and the rejected row’s reason', async () => {
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, 'Full Name,Company,Mobile Phone,Work Phone\nRita Relay,Relay Co,(415) 555-0123,\nSam Shared,,+1 201 555 0150,201.555.0151\nNo Number,Nowhere,,\n');
    await ada.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phonebook' }).click();
    await ada.page.getByRole('button', { name: 'Import' }).click();
    const dialog = ada.page.getByRole('dialog', { name: 'Import contacts' });
    await dialog.getByLabel('Into the shared company phonebook').check();
    await dialog.getByLabel('CSV or vCard file').setInputFiles(file);
    await expect.poll(() => dialog.getByRole('status').filter({ hasText: 'new contacts' }).textContent()).toContain('2 new contacts, 0 merged into existing ones by number, 1 row will be left out:');
    await expect.poll(() => dialog.getByText('Row 3: No phone number.').count()).toBe(1);
    await shot(ada, 'import-preview');
    await dialog.getByRole('button', { name: 'Import 2 contacts' }).click();
    await expect.poll(() => dialog.getByRole('status').first().textContent()).toContain('Imported from contacts.csv: 2 new contacts');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => ada.page.getByRole('row').filter({ hasText: 'Rita Relay' }).count()).toBe(1);
    await shot(ada, 'phonebook');
  });

  it('finds a contact by part of a number in + New → SMS, and a colleague by name', async () => {
    await bob.page.getByRole('button', { name: 'New', exact: true }).click();
    await bob.page.getByRole('menu', { name: 'New' }).getByRole('menuitem', { name: 'SMS', exact: true }).click();
    const dialog = bob.page.getByRole('dialog', { name: 'New SMS' });
    const to = dialog.getByRole('combobox', { name: 'To' });
    await to.fill('555 015');
    const options = dialog.getByRole('option');
    await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining('Sam Shared'), expect.stringContaining('Sam Shared')]);
    await shot(bob, 'new-sms-search');
    // the first match is highlighted: Enter takes it, arrows move
    await to.press('ArrowDown');
    await to.press('ArrowUp');
    await to.press('Enter');
    await expect.poll(() => dialog.getByText('Sam Shared: (201) 555-0150').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Open thread' }).click();
    await bob.page.waitForURL('**/messages/*');
    await expect.poll(() => bob.page.getByRole('heading', { level: 2 }).textContent()).toContain('Sam Shared');
    // a whole number nobody knows is still offered, as typed
    await bob.page.getByRole('button', { name: 'New', exact: true }).click();
    await bob.page.getByRole('menu', { name: 'New' }).getByRole('menuitem', { name: 'SMS', exact: true }).click();
    await to.fill('201 555 0188');
    await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining('(201) 555-0188')]);
    // colleagues come from the directory: picking one opens the chat with them
    await to.fill('ada');
    await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining('Ada Admin')]);
    await to.press('Escape');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('starts the SMS thread from the message icon, named in the sidebar and the header', async () => {
    await bob.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phonebook' }).click();
    await bob.page.getByLabel('Search contacts').fill('555 01');
    await expect.poll(() => bob.page.getByRole('row').filter({ hasText: 'Sam Shared' }).count()).toBe(1);
    await bob.page.getByLabel('Search contacts').fill('(415)');
    await expect.poll(() => bob.page.getByRole('row').filter({ hasText: 'Sam Shared' }).count()).toBe(0);
    await bob.page.getByRole('button', { name: 'Text Rita Relay at (415) 555-0123' }).click();
    await bob.page.waitForURL('**/messages/*');
    await expect.poll(() => conversations(bob).getByRole('link', { name: /Rita Relay/ }).count()).toBe(1);
    await expect.poll(() => bob.page.getByRole('heading', { level: 2 }).textContent()).toContain('Rita Relay');
    await shot(bob, 'thread-named');
  });

  it('shows one customer’s conversations across business numbers and groups, from the header', async () => {
    await bob.page.getByRole('link', { name: 'All conversations' }).click();
    const dialog = bob.page.getByRole('dialog', { name: 'Conversations with Rita Relay' });
    await expect.poll(() => dialog.getByRole('link').allTextContents()).toEqual([expect.stringContaining('Rita Relay')]);
    await shot(bob, 'timeline');
    await dialog.getByRole('link').first().click();
    await bob.page.waitForURL('**/messages/*');
  });

  it('renames the contact and a second browser’s sidebar follows without a reload', async () => {
    await bob.page.getByRole('textbox', { name: /^Message / }).fill('Hello Rita');
    await bob.page.getByRole('textbox', { name: /^Message / }).press('Enter');
    await ada.page.getByRole('row').filter({ hasText: 'Rita Relay' }).getByRole('button', { name: 'Edit Rita Relay' }).click();
    const dialog = ada.page.getByRole('dialog', { name: 'Edit Rita Relay' });
    await dialog.getByLabel('Name').fill('Rita Renamed');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => conversations(bob).getByRole('link', { name: /Rita Renamed/ }).count()).toBe(1);
    await expect.poll(() => bob.page.getByRole('heading', { level: 2 }).textContent()).toContain('Rita Renamed');
  });
});
