// A GSM gateway link end to end in Chromium against the real appliance, a
// real bridge and the SMSC simulator behaving as a gateway (it drops a
// session that is quiet for 1.5 s): the admin creates the link from the GSM
// gateway profile, shortens its keepalive under Advanced, sees it bound with
// its health figures, and a text a member sends goes out and ends "Sent"
// (the gateway sends no receipts). The tests run in order.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RecordModel } from 'pocketbase';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

// with SCREENSHOTS=<dir>, the screens are written there (as in the other e2e tests)
const SHOTS = process.env.SCREENSHOTS ?? '';

interface Person {
  account: SignedIn;
  context: BrowserContext;
  page: Page;
}

describe('a GSM gateway link', () => {
  let app: Appliance;
  let browser: Browser;
  let sim: SmscSimulator;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let ada: Person, alice: Person;
  let aliceAccount: SignedIn;

  async function signIn(account: SignedIn): Promise<Person> {
    const context = await browser.newContext({ baseURL: app.url, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return { account, context, page };
  }

  beforeAll(async () => {
    [app, browser, sim] = await Promise.all([startAppliance(), launchBrowser(), SmscSimulator.start()]);
    sim.dropWhenQuiet(1500);
    // a gateway's ids are decimal
    sim.onSubmit = () => ({ id: String(100 + sim.submits.length) });
    const [admin, member] = await Promise.all([
      createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' }),
      createUser(app, { name: 'Alice', extension: '201' })
    ]);
    aliceAccount = member;
    const service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    // the bridge's own timings from the link row: no test overrides of keepalive or backoff
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, link: { connectTimeoutMs: 1000 }, healthMs: 200 });
    await bridge.start();
    [ada, alice] = await Promise.all([signIn(admin), signIn(member)]);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await sim?.close();
    await app?.stop();
  });

  const row = () => ada.page.getByRole('row', { name: /GoIP SIM 1/ });

  it('the admin creates a link from the GSM gateway profile and sees it bound with its health', async () => {
    const page = ada.page;
    await page.goto('/admin/links');
    await page.getByRole('button', { name: 'Add link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add SMSC link' });
    await dialog.getByLabel('GSM gateway').check();
    await dialog.getByLabel('Name').fill('GoIP SIM 1');
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('Port').fill(String(sim.port));
    await dialog.getByLabel('System ID').fill('bridge');
    await dialog.getByLabel('Password', { exact: true }).fill('secret');
    await dialog.getByText('Advanced', { exact: true }).click();
    // the profile filled these in
    expect(await dialog.getByLabel('Window').inputValue()).toBe('1');
    expect(await dialog.getByLabel('Rate limit').inputValue()).toBe('6');
    expect(await dialog.getByLabel('Rate unit').inputValue()).toBe('minute');
    expect(await dialog.getByLabel('Keepalive every (s)').inputValue()).toBe('5');
    expect(await dialog.getByLabel('Delivery receipts expected').isChecked()).toBe(false);
    // this gateway drops a session after 1.5 s of quiet
    await dialog.getByLabel('Keepalive every (s)').fill('0.5');
    await dialog.getByRole('button', { name: 'Add link' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const [link] = await app.superuser.collection('smsc_links').getFullList();
    expect(link).toMatchObject({ kind: 'gsm_gateway', window: 1, max_per_second: 0.1, rate_unit: 'minute', enquire_link_s: 0.5, receipts: 'none', bind: 'trx' });
    await row().getByText('Connected').waitFor();
    await row().getByText('GSM gateway · 6 per minute').waitFor();
    const health = row().getByRole('definition');
    await row().getByText('Round trip').waitFor();
    await row().getByText('Reconnects (1 h)').waitFor();
    expect(await health.allTextContents()).toContain('0');
    // kept alive under the quiet-drop rule: bound once
    await sim.waitFor('enquire_link', () => true, 2000);
    expect(sim.quietDrops).toBe(0);
    expect(sim.binds).toHaveLength(1);
    if (SHOTS) await ada.page.screenshot({ path: join(SHOTS, 'gateway-links.png'), fullPage: true });
  });

  it('a text from the number on that link goes out and says Sent', async () => {
    const su = app.superuser;
    const [link] = await su.collection('smsc_links').getFullList();
    const sim1 = await su.collection('numbers').create({ e164: '+12015550100', label: 'SIM 1', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    await su.collection('users').update(aliceAccount.record.id, { sms_numbers: [sim1.id], default_number: sim1.id });
    const thread = await aliceAccount.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
    await alice.page.goto(`/messages/${thread.id}`);
    const composer = alice.page.getByRole('textbox', { name: /^Message / });
    await composer.fill('Your order is ready');
    const submitted = sim.waitFor('submit', () => true, 5000);
    await composer.press('Enter');
    await submitted;
    await alice.page.getByRole('list', { name: 'SMS delivery' }).getByText('Sent').waitFor();
    expect(sim.submits[0]).toMatchObject({ destination_addr: '12015550123', registered_delivery: 0 });
    const [d] = await su.collection('deliveries').getFullList();
    expect(d).toMatchObject({ status: 'sent', report: 'not_expected', smsc_ids: [sim.submits[0].id] });
    if (SHOTS) await alice.page.screenshot({ path: join(SHOTS, 'gateway-sent.png'), fullPage: true });
  });
});
