// A link that is down, end to end in Chromium against the real appliance,
// the bridge played through its service account (it writes the link's
// state, down_since and waiting count): a sender sees the Messages-tab
// banner and "Waiting for the SMSC link …" under the text; the admin sees
// the waiting count on the Links page, cancels the waiting texts, and the
// sender sees them failed "Cancelled by …".
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RecordModel } from 'pocketbase';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

interface Person {
  account: SignedIn;
  context: BrowserContext;
  page: Page;
}

describe('a link that is down', () => {
  let app: Appliance;
  let browser: Browser;
  let bridge: SignedIn;
  let alice: Person, ada: Person;
  let link: RecordModel;

  async function signIn(account: SignedIn): Promise<Person> {
    const context = await browser.newContext({ baseURL: app.url, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return { account, context, page };
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    const su = app.superuser;
    link = await su.collection('smsc_links').create({ name: 'Gateway', host: '127.0.0.1', port: 2775, system_id: 'gw', bind: 'trx', window: 10, enabled: true });
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    const [a, admin] = await Promise.all([createUser(app, { name: 'Alice', extension: '201' }), createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' })]);
    await su.collection('users').update(a.record.id, { sms_numbers: [main.id], default_number: main.id });
    bridge = await createService(app, 'bridge');
    await bridge.pb.collection('smsc_links').update(link.id, { state: 'down', last_error: 'connection refused', down_since: '2026-12-01 12:03:00.000Z' });
    [alice, ada] = await Promise.all([signIn(a), signIn(admin)]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('the sender is told texts from the number will wait, and a text says what it waits for', async () => {
    await alice.page.getByText("Texts from (201) 555-0100 will wait: the SMSC link 'Gateway' is down since", { exact: false }).waitFor();
    const thread = await alice.account.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
    await alice.page.goto(`/messages/${thread.id}`);
    const composer = alice.page.getByRole('textbox', { name: /^Message / });
    await composer.fill('Your order is ready');
    await composer.press('Enter');
    await alice.page.getByText("Waiting for the SMSC link 'Gateway' (down since", { exact: false }).waitFor();
  });

  it('the admin sees how many texts wait and cancels them; the sender sees them cancelled', async () => {
    const oldest = (await app.superuser.collection('deliveries').getFullList())[0];
    await bridge.pb.collection('smsc_links').update(link.id, { waiting: 1, waiting_since: oldest.queued_at });
    await ada.page.goto('/admin/links');
    const row = ada.page.getByRole('row', { name: /Gateway/ });
    await row.getByText(/^1 text waiting since /).waitFor();
    await row.getByRole('button', { name: 'Cancel waiting texts of Gateway' }).click();
    const dialog = ada.page.getByRole('dialog', { name: 'Cancel the texts waiting for Gateway?' });
    await dialog.getByRole('button', { name: 'Cancel the texts' }).click();
    await ada.page.getByText('Cancelled 1 waiting text of Gateway.', { exact: false }).waitFor();
    await alice.page.getByText('Cancelled by Ada Admin', { exact: false }).waitFor();
  });
});
