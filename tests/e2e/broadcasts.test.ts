// Broadcasts end to end: Chromium, the real appliance, the real bridge and
// its broadcast worker (in this process) and the SMSC simulator. An admin
// who may text from the number makes a phonebook group and puts a shared
// contact in it, filters the phonebook by it, then broadcasts to a pasted
// list: the preview counts recipients, the duplicate, the invalid entry and
// the opted-out number, and the progress bar runs to the end while the
// simulator receives one submit_sm per number that may be texted.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { BroadcastWorker } from '../../smsc-bridge/src/broadcasts/worker.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log, until } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance } from '../helpers/appliance';
import { axeViolations } from '../helpers/axe';

// with SCREENSHOTS=<dir>, the screens are written there (as in the other e2e tests)
const SHOTS = process.env.SCREENSHOTS;
const TEXT = 'Open house Saturday 10-4. Reply STOP to opt out.';

describe('broadcasts, end to end', () => {
  let app: Appliance;
  let browser: Browser;
  let sim: SmscSimulator;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let worker: BroadcastWorker;
  let page: Page;

  const shot = async (name: string) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  beforeAll(async () => {
    [app, browser, sim] = await Promise.all([startAppliance(), launchBrowser(), SmscSimulator.start()]);
    const su = app.superuser;
    const link = await su.collection('smsc_links').create({
      name: 'Simulator', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', bind: 'trx',
      window: 10, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    const alice = await createUser(app, { name: 'Alice', extension: '201', role: 'admin' });
    await su.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
    await su.collection('contacts').create({ name: 'Ann Archer', numbers: [{ e164: '+12015550131', label: 'mobile' }] });
    await su.collection('contacts').create({ name: 'Ben Baker', numbers: [{ e164: '+12015550132', label: 'mobile' }] });
    await su.collection('opt_outs').create({ phone: '+12015550143', our_number: main.id, keyword: 'STOP' });
    const service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);
    worker = new BroadcastWorker({ pb: store.pb, log, idleMs: 200, minMs: 20 });
    await worker.start();

    const context = await browser.newContext({ baseURL: app.url });
    page = await context.newPage();
    await logInAs(page, '201', alice.password);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await browser?.close();
    await sim?.close();
    await app?.stop();
  });

  it('makes a contact group, puts a shared contact in it, and filters the phonebook by it', async () => {
    await page.getByRole('link', { name: 'Phonebook' }).click();
    await page.locator('span.name', { hasText: 'Ann Archer' }).waitFor();
    await page.getByRole('button', { name: 'Groups' }).click();
    const groups = page.getByRole('dialog', { name: 'Contact groups' });
    await groups.getByLabel('New group').fill('VIP');
    await groups.getByRole('button', { name: 'Add group' }).click();
    await groups.getByText('VIP').waitFor();
    await groups.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Edit Ann Archer' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Ann Archer' });
    await edit.getByRole('checkbox', { name: 'VIP' }).check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.getByText('Groups: VIP').waitFor();

    await page.getByLabel('Group', { exact: true }).selectOption({ label: 'VIP' });
    await page.getByRole('status').filter({ hasText: '1 contact' }).waitFor();
    expect(await page.locator('span.name', { hasText: 'Ben Baker' }).count()).toBe(0);
    await shot('phonebook-groups');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('previews a pasted list, starts it, and the progress bar runs to the end', async () => {
    await page.getByRole('link', { name: 'Broadcasts' }).click();
    await page.waitForURL('**/broadcasts');
    await page.getByRole('link', { name: 'New broadcast' }).click();
    await page.getByLabel('Name').fill('Open house');
    await page.getByLabel(/^Numbers/).fill('(201) 555-0141\n201.555.0142, +1 201 555 0143\n2015550141\nnot a number');
    await page.getByLabel('Text', { exact: true }).fill(TEXT);
    await page.getByText(/1 SMS · GSM-7/).waitFor();
    await page.getByLabel('At most (texts per minute)').fill('600');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.waitFor();
    expect(await preview.getByTestId('preview-recipients').textContent()).toBe('3');
    expect(await preview.getByTestId('preview-opted-out').textContent()).toBe('1');
    expect(await preview.getByTestId('preview-duplicates').textContent()).toBe('1');
    expect(await preview.getByTestId('preview-invalid').textContent()).toBe('1');
    expect(await preview.getByTestId('preview-segments').textContent()).toBe('1 SMS (GSM-7)');
    expect(await preview.getByTestId('preview-eta').textContent()).toMatch(/about 1 s at 600 per minute, Simulator sends no limit/);
    await shot('broadcast-preview');
    expect(await axeViolations(page)).toEqual([]);

    await preview.getByRole('button', { name: 'Start: text 2 people' }).click();
    await page.waitForURL(/\/broadcasts\/\w+$/);
    await page.getByTestId('broadcast-status').filter({ hasText: 'Done' }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('broadcast-dealt').textContent()).toBe('3 of 3');
    expect(await page.locator('progress#b-progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(1);
    await until(() => sim.submits.filter((s) => s.short_message.toString('latin1') === TEXT).length === 2, 10_000, 'two submits');
    expect(sim.submits.map((s) => s.destination_addr).sort()).toEqual(['12015550141', '12015550142']);
    await page.getByRole('row', { name: /555-0143.*Skipped: opted out/ }).waitFor();
    await page.getByRole('row', { name: /555-0141.*Delivered/ }).waitFor({ timeout: 10_000 });
    await shot('broadcast-detail');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: '← Broadcasts' }).click();
    await page.getByRole('row', { name: /Open house/ }).getByText('Done').waitFor();
    await shot('broadcast-list');
    expect(await axeViolations(page)).toEqual([]);
  });
});
