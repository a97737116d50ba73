// SMS end to end with nothing played: Chromium, the real appliance, the real
// bridge (its pipeline in this process) and the SMSC simulator on loopback.
// A user texts a phone from the New SMS dialog; the simulator receives the
// submit_sm and sends its receipt; the bubble turns Delivered; the simulated
// phone answers with a deliver_sm and the answer appears live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance } from '../helpers/appliance';

describe('SMS over SMPP, end to end', () => {
  let app: Appliance;
  let browser: Browser;
  let sim: SmscSimulator;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let page: Page;

  beforeAll(async () => {
    [app, browser, sim] = await Promise.all([startAppliance(), launchBrowser(), SmscSimulator.start()]);
    const su = app.superuser;
    const link = await su.collection('smsc_links').create({
      name: 'Simulator', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', bind: 'trx',
      window: 10, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    const alice = await createUser(app, { name: 'Alice', extension: '201' });
    await su.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
    const service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);

    const context = await browser.newContext({ baseURL: app.url });
    page = await context.newPage();
    await logInAs(page, '201', alice.password);
  }, 60_000);

  afterAll(async () => {
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await browser?.close();
    await sim?.close();
    await app?.stop();
  });

  it('a text goes out as submit_sm, its receipt shows Delivered, and the phone\'s answer appears live', async () => {
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.getByRole('menu', { name: 'New' }).getByRole('menuitem', { name: 'SMS', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New SMS' });
    await dialog.getByLabel('To', { exact: true }).fill('(201) 555-0123');
    await dialog.getByLabel('Message', { exact: true }).fill('Your table is ready ☺');
    await dialog.getByText(/UCS-2 because of ☺/).waitFor();
    await dialog.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/messages\/\w+$/);

    const submit = await sim.waitFor<{ destination_addr: string; data_coding: number }>('submit', () => true, 10_000);
    expect(submit).toMatchObject({ destination_addr: '12015550123', data_coding: 8 });
    const bubble = page.getByRole('list', { name: /^Messages with / }).getByRole('listitem').filter({ hasText: 'Your table is ready' }).first();
    await bubble.getByRole('list', { name: 'SMS delivery' }).getByText('Delivered').waitFor({ timeout: 10_000 });

    const resp = await sim.deliver({ source_addr: '12015550123', destination_addr: '12015550100', short_message: Buffer.from('Coming now') });
    expect(resp.command_status).toBe(0);
    await page.getByRole('list', { name: /^Messages with / }).getByText('Coming now').waitFor();
  });
});
