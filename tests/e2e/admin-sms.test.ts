// Admin pages for SMS end to end, in a real browser against the real
// appliance: an admin adds an SMSC link and watches its live state (the
// bridge is played by the superuser writing state), adds a business number
// typed in national form and assigns it to a member, edits a member's numbers
// and default on the Users page, and a member is refused on both pages.
// The tests run in order and build on each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

describe('admin: SMSC links and business numbers', () => {
  let app: Appliance;
  let browser: Browser;
  let admin: SignedIn, member: SignedIn;
  let context: BrowserContext;
  let page: Page;
  let linkId = '';
  let numberId = '';

  /** signIn opens a fresh context for the account and logs in through the login page. */
  async function signIn(account: SignedIn): Promise<void> {
    context = await browser.newContext({ baseURL: app.url });
    page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    [admin, member] = await Promise.all([
      createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' }),
      createUser(app, { name: 'Max Member', extension: '201' })
    ]);
    await signIn(admin);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const linkRow = () => page.getByRole('row', { name: /Carrier A/ });

  it('an admin adds an SMSC link with the usual defaults and sees its live state', async () => {
    await page.goto('/admin/links');
    await page.getByText('No links yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Add link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add SMSC link' });
    expect(await dialog.getByLabel('Port').inputValue()).toBe('2775');
    await dialog.getByLabel('Name').fill('Carrier A');
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('System ID').fill('appliance');
    // SMPP allows 9 characters; the field takes no more
    await dialog.getByLabel('Password', { exact: true }).fill('0123456789');
    expect(await dialog.getByLabel('Password', { exact: true }).inputValue()).toBe('012345678');
    // the form checks what it can before asking the server
    await dialog.getByLabel('Port').fill('70000');
    await dialog.getByRole('button', { name: 'Add link' }).click();
    await dialog.getByText('A whole number from 1 to 65535.').waitFor();
    expect(await dialog.getByLabel('Port').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Port').fill('2775');
    expect(await dialog.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('password');
    await dialog.getByLabel('Show password').check();
    expect(await dialog.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('text');
    await dialog.getByLabel('Password', { exact: true }).fill('secret');
    await dialog.getByRole('button', { name: 'Add link' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await linkRow().getByText('Waiting for the bridge').waitFor();
    const [record] = await app.superuser.collection('smsc_links').getFullList();
    linkId = record.id;
    expect(record).toMatchObject({
      name: 'Carrier A',
      host: '127.0.0.1',
      port: 2775,
      system_id: 'appliance',
      password: 'secret',
      bind: 'trx',
      window: 10,
      max_per_second: 0,
      enabled: true,
      id_format: 'auto',
      default_alphabet: 'GSM7',
      source_ton: -1,
      source_npi: -1,
      dest_ton: -1,
      dest_npi: -1
    });

    // the bridge writes state; the page follows without a reload
    const now = new Date().toISOString().replace('T', ' ');
    await app.superuser.collection('smsc_links').update(linkId, { state: 'bound', last_error: '', state_at: now });
    await linkRow().getByText('Connected').waitFor();
    await linkRow().getByText(/^since /).waitFor();
    await app.superuser
      .collection('smsc_links')
      .update(linkId, { state: 'auth_failed', last_error: 'bind refused: ESME_RINVPASWD', state_at: now });
    await linkRow().getByText('Login refused').waitFor();
    await linkRow().getByText('bind refused: ESME_RINVPASWD').waitFor();

    await page.getByRole('button', { name: 'Disable Carrier A' }).click();
    await linkRow().getByText('Disabled').waitFor();
    expect((await app.superuser.collection('smsc_links').getOne(linkId)).enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable Carrier A' }).click();
    await linkRow().getByText('Login refused').waitFor();
    expect((await app.superuser.collection('smsc_links').getOne(linkId)).enabled).toBe(true);
  });

  it('an edit of a link opens Advanced by itself when an advanced field is wrong', async () => {
    await page.getByRole('button', { name: 'Edit Carrier A' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Carrier A' });
    expect(await dialog.getByLabel('Password', { exact: true }).inputValue()).toBe('secret');
    await dialog.getByText('Advanced').click();
    await dialog.getByLabel('Window').fill('0');
    await dialog.getByText('Advanced').click();
    expect(await dialog.getByLabel('Window').isVisible()).toBe(false);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText('A whole number from 1 to 500.').waitFor();
    await dialog.getByLabel('Window').fill('50');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await app.superuser.collection('smsc_links').getOne(linkId)).window).toBe(50);
  });

  it('an admin adds a number typed in national form, sees nonsense refused, and assigns it to a member', async () => {
    await page.goto('/admin/numbers');
    await page.getByText('No business numbers yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Add number' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add number' });
    const numberField = dialog.getByLabel('Number', { exact: true });

    await numberField.fill('call me');
    await dialog.getByText('A phone number has only digits, spaces and + ( ) - .').waitFor();
    expect(await numberField.getAttribute('aria-invalid')).toBe('true');
    // an incomplete number is called so only once the field is left
    await numberField.fill('201 555');
    expect(await numberField.getAttribute('aria-invalid')).toBeNull();
    await dialog.getByLabel('Label (optional)').focus();
    await dialog.getByText('201 555 is not a complete phone number.').waitFor();

    await numberField.fill('(201) 555-0100');
    await dialog.getByText('Saved as +12015550100 (+1 201 555 0100).').waitFor();
    expect(await numberField.getAttribute('aria-invalid')).toBeNull();
    await dialog.getByLabel('Label (optional)').fill('Main line');
    expect(await dialog.getByLabel('SMS on').isChecked()).toBe(true);

    await dialog.getByLabel('SMSC link').selectOption({ label: 'None' });
    await dialog.getByText('Without a link, texts from this number cannot go out.').waitFor();
    await dialog.getByLabel('SMSC link').selectOption(linkId);
    await dialog.getByText('Without a link', { exact: false }).waitFor({ state: 'detached' });
    // queue mode needs a queue: with none yet, the form points to where to make one
    await dialog.getByRole('radio', { name: /^Queue/ }).check();
    await dialog.getByText('There is no queue yet.').waitFor();
    await dialog.getByRole('radio', { name: /^Direct/ }).check();

    await dialog.getByRole('checkbox', { name: /Max Member/ }).check();
    await dialog.getByRole('button', { name: 'Add number' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: /Main line/ });
    await row.waitFor();
    const cells = (await row.getByRole('cell').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim());
    expect(cells.slice(0, 5)).toEqual(['(201) 555-0100', 'On', 'Carrier A Login refused', 'Direct', '1']);

    const [number] = await app.superuser.collection('numbers').getFullList();
    numberId = number.id;
    expect(number).toMatchObject({ e164: '+12015550100', label: 'Main line', sms_enabled: true, mode: 'direct', smsc_link: linkId });
    const max = await app.superuser.collection('users').getOne(member.record.id);
    expect(max.sms_numbers).toEqual([numberId]);
    expect(max.default_number).toBe(numberId);
    const ada = await app.superuser.collection('users').getOne(admin.record.id);
    expect(ada.sms_numbers).toEqual([]);

    // the same number again, typed another way, is caught before saving
    await page.getByRole('button', { name: 'Add number' }).click();
    await dialog.getByLabel('Number', { exact: true }).fill('+1 201-555-0100');
    await dialog.getByText('Already added as Main line.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('the link state shows live on the Numbers page too', async () => {
    const row = page.getByRole('row', { name: /Main line/ });
    await app.superuser.collection('smsc_links').update(linkId, { state: 'bound', last_error: '' });
    await row.getByText('Connected').waitFor();
  });

  it('an admin gives the member a second number and makes it the default on the Users page', async () => {
    const second = await app.superuser
      .collection('numbers')
      .create({ e164: '+12015550111', label: 'Support', sms_enabled: true, mode: 'direct', smsc_link: linkId });
    // SMS off: not offered to people who do not have it
    await app.superuser.collection('numbers').create({ e164: '+12015550122', label: 'Fax', sms_enabled: false, mode: 'direct' });

    await page.goto('/admin/users');
    await page.getByRole('button', { name: 'Numbers of Max Member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Numbers of Max Member' });
    const main = dialog.getByRole('checkbox', { name: /Main line/ });
    const support = dialog.getByRole('checkbox', { name: /Support/ });
    await main.waitFor();
    expect(await main.isChecked()).toBe(true);
    expect(await support.isChecked()).toBe(false);
    expect(await dialog.getByRole('checkbox', { name: /Fax/ }).count()).toBe(0);
    expect(await dialog.getByRole('radio', { name: /Default: Main line/ }).isChecked()).toBe(true);
    expect(await dialog.getByRole('radio', { name: /Default: Support/ }).isDisabled()).toBe(true);

    await support.check();
    await dialog.getByRole('radio', { name: /Default: Support/ }).check();
    await dialog.getByRole('button', { name: 'Save numbers' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Saved the numbers of Max Member.').waitFor();

    const max = await app.superuser.collection('users').getOne(member.record.id);
    expect(max.sms_numbers).toEqual([numberId, second.id]);
    expect(max.default_number).toBe(second.id);
  });

  it('taking the member off their default number on the Numbers page moves their default', async () => {
    await page.goto('/admin/numbers');
    const support = await app.superuser.collection('numbers').getFirstListItem('label = "Support"');
    await page.getByRole('button', { name: 'Edit Support' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Support' });
    const max = dialog.getByRole('checkbox', { name: /Max Member/ });
    expect(await max.isChecked()).toBe(true);
    await max.uncheck();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Saved Support.').waitFor();

    const record = await app.superuser.collection('users').getOne(member.record.id);
    expect(record.sms_numbers).toEqual([numberId]);
    expect(record.default_number).toBe(numberId);
    expect(support.id).not.toBe(numberId);
  });

  it('a text for a number the appliance does not have waits on Unrouted texts, live', async () => {
    await page.goto('/admin/unrouted');
    await page.getByText('No unrouted texts.').waitFor();
    const bridge = await createService(app, 'bridge');
    await bridge.pb.send('/api/sms/inbound', {
      method: 'POST',
      body: { from: '+12015550177', to: '+12015550999', body: 'Is anyone there?', dedupe_key: 'lost-e2e-1' }
    });
    const row = page.getByRole('row', { name: /Is anyone there\?/ });
    await row.waitFor();
    await row.getByText('(201) 555-0177').waitFor();
    await row.getByText('(201) 555-0999').waitFor();
  });

  it('a member is refused on /admin/numbers and /admin/links and fetches no links', async () => {
    await context.close();
    await signIn(member);
    const linkRequests: string[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.startsWith('/api/collections/smsc_links')) linkRequests.push(req.url());
    });
    for (const path of ['/admin/numbers', '/admin/links']) {
      await page.goto(path);
      await page.getByText('Only administrators can open this page.').waitFor();
      expect(await page.getByRole('table').count()).toBe(0);
      expect(new URL(page.url()).pathname).toBe(path);
    }
    expect(linkRequests).toEqual([]);
  });
});
