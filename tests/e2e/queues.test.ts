// SMS queues end to end: Chromium, the real appliance, the real bridge and
// the SMSC simulator standing in for the customers' phones. An admin makes a
// queue on Admin → Queues and puts the number in queue mode on Numbers; two
// agents, each in their own browser context, log in to the queue from their
// sidebars; a customer's text appears live for both (greeting on the wire);
// one claims, it leaves the other's list; the follow-up reaches the claimer
// only; transfer, release and close write their lines; a claim that lost the
// race says who won; the sweep's automatic release and the highlight show.
// The tests run in order and build on each other. With QUEUE_SHOTS=<dir>
// set, screenshots of the screens are written there.
import { mkdirSync, writeFileSync } from 'node:fs';
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

interface Person {
  account: SignedIn;
  context: BrowserContext;
  page: Page;
}

const CUSTOMER = '+12015550123';
const CUSTOMER_SHOWN = '(201) 555-0123';
const SECOND = '+12015550124';
const SECOND_SHOWN = '(201) 555-0124';
const shots = process.env.QUEUE_SHOTS ?? '';

describe('SMS queues, end to end', () => {
  let app: Appliance;
  let browser: Browser;
  let sim: SmscSimulator;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let ada: Person, alice: Person, bob: Person;
  let number: RecordModel;
  let queueId = '';
  let first = '';

  async function signIn(account: SignedIn): Promise<Person> {
    const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 800 } });
    // count the alert tones: each one connects its master gain to the speakers once
    await context.addInitScript(() => {
      const w = window as unknown as { __tones: number };
      w.__tones = 0;
      const connect = AudioNode.prototype.connect as (...args: unknown[]) => unknown;
      AudioNode.prototype.connect = function (this: AudioNode, ...args: unknown[]) {
        if (args[0] instanceof AudioDestinationNode) w.__tones++;
        return connect.apply(this, args);
      } as typeof AudioNode.prototype.connect;
    });
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return { account, context, page };
  }

  /** shot saves a screenshot (with QUEUE_SHOTS) and checks that every control on screen has a name. */
  async function shot(p: Person, name: string, phone = false) {
    if (phone) await p.page.setViewportSize({ width: 390, height: 844 });
    const tree = await p.page.locator('body').ariaSnapshot();
    const nameless = tree.split('\n').filter((line) => /^\s*- (button|switch|checkbox|radio|textbox|combobox|link|dialog|spinbutton|slider)( \[[^\]]*\])?:?$/.test(line));
    expect(nameless, `controls without a name on ${name}`).toEqual([]);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await p.page.screenshot({ path: join(shots, `${name}.png`) });
      writeFileSync(join(shots, `${name}.aria.yml`), tree);
    }
    if (phone) await p.page.setViewportSize({ width: 1280, height: 800 });
  }

  /** text sends a customer's SMS to the queue number through the simulator, as a deliver_sm. */
  async function text(from: string, body: string) {
    const resp = await sim.deliver({ source_addr: from.slice(1), destination_addr: number.e164.slice(1), short_message: Buffer.from(body) });
    expect(resp.command_status).toBe(0);
  }

  const sent = (to: string) => sim.submits.filter((s) => s.destination_addr === to.slice(1)).map((s) => s.short_message.toString('latin1'));
  const queuePanel = (p: Person) => p.page.getByRole('region', { name: 'Queues' });
  const waitingList = (p: Person) => p.page.getByRole('list', { name: 'Waiting in Sales' });
  const switchOf = (p: Person) => p.page.getByRole('switch', { name: /Sales/ });
  const conversations = (p: Person) => p.page.getByRole('navigation', { name: 'Conversations' });
  const messages = (p: Person) => p.page.getByRole('list', { name: /^Messages with / });
  const composer = (p: Person) => p.page.getByRole('textbox', { name: /^Message / });
  const header = (p: Person) => p.page.locator('header.pane-head');
  const tones = (p: Person) => p.page.evaluate(() => (window as unknown as { __tones: number }).__tones);

  beforeAll(async () => {
    [app, browser, sim] = await Promise.all([startAppliance(), launchBrowser(), SmscSimulator.start()]);
    const su = app.superuser;
    const link = await su.collection('smsc_links').create({
      name: 'Simulator', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', bind: 'trx',
      window: 10, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    number = await su.collection('numbers').create({ e164: '+12015550100', label: 'Shop', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    const [a, b, c] = await Promise.all([
      createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' }),
      createUser(app, { name: 'Alice', extension: '201' }),
      createUser(app, { name: 'Bob', extension: '202' }),
    ]);
    const service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);
    [ada, alice, bob] = await Promise.all([signIn(a), signIn(b), signIn(c)]);
  }, 60_000);

  afterAll(async () => {
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await browser?.close();
    await sim?.close();
    await app?.stop();
  });

  it('the admin makes a queue with timeouts in minutes and puts the number in queue mode, told what happens to its conversations', async () => {
    const page = ada.page;
    await page.goto('/admin/queues');
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Queues' }).waitFor();
    await page.getByText('No queues yet.').waitFor();
    await page.getByRole('button', { name: 'Make queue' }).click();
    const dialog = page.getByRole('dialog', { name: 'Make queue' });
    // the defaults, shown in minutes and hours
    expect(await dialog.getByLabel('Release a claim after', { exact: true }).inputValue()).toBe('10');
    expect(await dialog.getByLabel('Close after', { exact: true }).inputValue()).toBe('24');
    expect(await dialog.getByLabel('Unit for close after').inputValue()).toBe('h');
    await dialog.getByRole('button', { name: 'Make queue' }).click();
    await dialog.getByText('Give the queue a name.').waitFor();

    await dialog.getByLabel('Name', { exact: true }).fill('Sales');
    await dialog.getByRole('checkbox', { name: /Alice/ }).check();
    await dialog.getByRole('checkbox', { name: /Bob/ }).check();
    await dialog.getByLabel('Greeting (optional)').fill('Thanks! An agent will answer shortly.');
    await dialog.getByLabel('Release a claim after', { exact: true }).fill('2');
    await dialog.getByLabel('Highlight a waiting conversation after', { exact: true }).fill('0.1');
    await shot(ada, 'admin-queue-form');
    await dialog.getByRole('button', { name: 'Make queue' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: /Sales/ });
    await row.getByText('Release after 2 min · Close after 24 h · Highlight after 6 s').waitFor();
    await row.getByText('Alice, Bob').waitFor();
    const [queue] = await app.superuser.collection('queues').getFullList();
    queueId = queue.id;
    expect(queue).toMatchObject({
      name: 'Sales',
      greeting: 'Thanks! An agent will answer shortly.',
      release_after_s: 120,
      close_after_s: 86400,
      waiting_alert_after_s: 6,
      archived: false,
    });
    expect([...queue.members].sort()).toEqual([alice.account.record.id, bob.account.record.id].sort());

    await page.goto('/admin/numbers');
    await page.getByRole('button', { name: 'Edit Shop' }).click();
    const edit = page.getByRole('dialog', { name: /^Edit Shop/ });
    await edit.getByRole('radio', { name: /^Queue/ }).check();
    await edit.getByLabel('Queue', { exact: true }).selectOption({ label: 'Sales' });
    await edit.getByText('New texts will wait in Sales. Existing conversations stay where they are, with their history; each joins the queue when its customer next texts.').waitFor();
    await shot(ada, 'admin-number-queue-mode');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.getByRole('row', { name: /Shop/ }).getByText('Queue: Sales').waitFor();
    expect(await app.superuser.collection('numbers').getOne(number.id)).toMatchObject({ mode: 'queue', queue: queueId });
    await shot(ada, 'admin-queues-numbers');
    await page.goto('/admin/queues');
    await page.getByRole('row', { name: /Sales/ }).getByText('Shop').waitFor();
    // a queue a number uses cannot be archived: the admin is told which number
    await page.getByRole('button', { name: 'Archive Sales' }).click();
    await page.getByRole('alert').getByText('(201) 555-0100 still sends its texts to this queue; switch the number first.').waitFor();
    await shot(ada, 'admin-queues');
    await shot(ada, 'admin-queues-phone', true);
  });

  it('agents who are logged out see a live count only; logged in, the waiting text with its wait and a Claim button, outside the ordinary list', async () => {
    for (const p of [alice, bob]) {
      await switchOf(p).waitFor();
      expect(await switchOf(p).getAttribute('aria-checked')).toBe('false');
      await queuePanel(p).getByText('Nobody waiting').waitFor();
    }
    await text(CUSTOMER, 'Is the red bike still for sale?');
    for (const p of [alice, bob]) await queuePanel(p).getByText('1 waiting').waitFor();
    expect(await queuePanel(alice).getByText('red bike').count()).toBe(0);
    // the greeting goes out on the wire, once
    await expect.poll(() => sent(CUSTOMER), { timeout: 10_000 }).toEqual(['Thanks! An agent will answer shortly.']);

    // a second queue for Alice arrives in her sidebar without reload, and with it "Log in to all"
    await app.superuser.collection('queues').create({ name: 'Support', members: [alice.account.record.id] });
    await alice.page.getByRole('switch', { name: 'Logged out of Support' }).waitFor();
    expect(await bob.page.getByText('Support').count()).toBe(0);
    await alice.page.getByRole('button', { name: 'Log in to all' }).click();
    await alice.page.getByRole('switch', { name: 'Logged in to Support' }).waitFor();
    await alice.page.getByRole('button', { name: 'Log in to all' }).waitFor({ state: 'detached' });
    await switchOf(bob).click();
    for (const p of [alice, bob]) {
      await p.page.getByRole('switch', { name: 'Logged in to Sales' }).waitFor();
      expect(await switchOf(p).getAttribute('aria-checked')).toBe('true');
      const item = waitingList(p).getByRole('listitem').filter({ hasText: CUSTOMER_SHOWN });
      await item.getByText('Is the red bike still for sale?').waitFor();
      await item.getByText(/^waiting (just now|\d+ s)/).waitFor();
      await item.getByRole('button', { name: `Claim ${CUSTOMER_SHOWN}` }).waitFor();
      // waiting: in the queue section, not in the ordinary list
      expect(await conversations(p).getByText(CUSTOMER_SHOWN).count()).toBe(0);
    }
    await shot(alice, 'agent-waiting-desktop');
    await shot(alice, 'agent-waiting-phone', true);
    // past the queue's highlight threshold (6 s) the item says so
    await waitingList(bob).getByRole('listitem').filter({ hasText: 'longer than it should' }).waitFor({ timeout: 15_000 });
    await shot(bob, 'agent-waiting-highlighted');
  });

  it('one agent claims, it leaves the other\'s list, the follow-up reaches the claimer only, and only the claimer\'s reply goes out', async () => {
    await waitingList(alice).getByRole('button', { name: `Claim ${CUSTOMER_SHOWN}` }).click();
    await alice.page.waitForURL(/\/messages\/\w+$/);
    first = alice.page.url().split('/').pop()!;
    await messages(alice).getByText('Claimed by Alice').waitFor();
    await messages(alice).getByText('Is the red bike still for sale?').waitFor();
    await header(alice).getByRole('button', { name: 'Transfer' }).waitFor();
    // in the claimer's ordinary list now, with the queue's badge
    await conversations(alice).getByRole('link', { name: new RegExp(`${escape(CUSTOMER_SHOWN)}.*Sales`) }).waitFor();
    await queuePanel(bob).getByText('Nobody waiting. New texts appear here.').waitFor();
    expect(await bob.page.getByText(CUSTOMER_SHOWN).count()).toBe(0);

    await text(CUSTOMER, 'It is the 26 inch one');
    await messages(alice).getByText('It is the 26 inch one').waitFor();
    await composer(alice).fill('Yes, it is still here.');
    await composer(alice).press('Enter');
    await expect.poll(() => sent(CUSTOMER), { timeout: 10_000 }).toContain('Yes, it is still here.');
    expect(await bob.page.getByText('26 inch').count()).toBe(0);
    await shot(alice, 'agent-claimed-desktop');
    await shot(alice, 'agent-claimed-phone', true);
  });

  it('transfer, release and close write their lines where each agent can read them', async () => {
    // transfer: the conversation leaves Alice and arrives in Bob's list
    await header(alice).getByRole('button', { name: 'Transfer' }).click();
    const transfer = alice.page.getByRole('dialog', { name: `Transfer ${CUSTOMER_SHOWN}` });
    await shot(alice, 'agent-transfer-dialog');
    await transfer.getByRole('list', { name: 'Logged-in agents of Sales' }).getByRole('button', { name: 'Bob' }).click();
    await alice.page.waitForURL(/\/messages$/);
    expect(await conversations(alice).getByText(CUSTOMER_SHOWN).count()).toBe(0);
    await conversations(bob).getByRole('link', { name: new RegExp(escape(CUSTOMER_SHOWN)) }).click();
    await messages(bob).getByText('Transferred from Alice to Bob').waitFor();
    await messages(bob).getByText('It is the 26 inch one').waitFor();

    // release: back to waiting for both, the composer says why it is off
    await header(bob).getByRole('button', { name: 'Release' }).click();
    await bob.page.getByRole('dialog', { name: `Release ${CUSTOMER_SHOWN}?` }).getByRole('button', { name: 'Release to the queue' }).click();
    await messages(bob).getByText('Released to the queue by Bob').waitFor();
    await header(bob).getByRole('button', { name: 'Claim' }).waitFor();
    expect(await composer(bob).isDisabled()).toBe(true);
    await bob.page.getByText('Claim this conversation to reply.').waitFor();
    await shot(bob, 'agent-released-desktop');
    await shot(bob, 'agent-released-phone', true);
    await waitingList(alice).getByRole('link', { name: new RegExp(escape(CUSTOMER_SHOWN)) }).click();
    await messages(alice).getByText('Released to the queue by Bob').waitFor();
    await messages(alice).getByText('Transferred from Alice to Bob').waitFor();
    expect(await composer(alice).isDisabled()).toBe(true);

    // Alice claims from the header: Bob's open view of it closes
    await header(alice).getByRole('button', { name: 'Claim' }).click();
    await header(alice).getByRole('button', { name: 'Close' }).waitFor();
    await bob.page.waitForURL(/\/messages$/);
    await messages(alice).getByText('Claimed by Alice').last().waitFor();

    // close, with a reason
    await header(alice).getByRole('button', { name: 'Close' }).click();
    const close = alice.page.getByRole('dialog', { name: `Close ${CUSTOMER_SHOWN}?` });
    await close.getByLabel('Reason (optional)').fill('Sold in the shop');
    await shot(alice, 'agent-close-dialog');
    await close.getByRole('button', { name: 'Close conversation' }).click();
    await messages(alice).getByText('Closed by Alice: Sold in the shop').waitFor();
    await alice.page.getByRole('note').getByText('This conversation is closed.').waitFor();
    await conversations(alice).getByRole('link', { name: /Sales · closed/ }).waitFor();
    await shot(alice, 'agent-closed');
    const lines = (await app.superuser.collection('messages').getFullList({ filter: `conversation = '${first}' && kind = 'system'`, sort: 'created,id' })).map((m) => m.body);
    expect(lines).toEqual([
      'Waiting in Sales',
      'Greeting sent',
      'Claimed by Alice',
      'Transferred from Alice to Bob',
      'Released to the queue by Bob',
      'Claimed by Alice',
      'Closed by Alice: Sold in the shop',
    ]);
  });

  it('a claim that lost the race says who won and the item leaves the list', async () => {
    await alice.page.goto('/messages');
    // a click lets the page make sound (browsers' rule)
    await alice.page.getByRole('heading', { name: 'Messages', level: 1 }).click();
    const [aliceTones, bobTones] = [await tones(alice), await tones(bob)];
    await text(SECOND, 'Do you deliver?');
    await waitingList(bob).getByText('Do you deliver?').waitFor();
    await waitingList(alice).getByText('Do you deliver?').waitFor();
    // both logged-in agents hear it: at once, or (when a tone played just
    // before and the alert spacing holds this one back) at the 30 s repeat
    await expect.poll(() => tones(alice), { timeout: 40_000 }).toBeGreaterThan(aliceTones);
    await expect.poll(() => tones(bob), { timeout: 40_000 }).toBeGreaterThan(bobTones);
    const id = (await app.superuser.collection('conversations').getFirstListItem(`sms_key ~ '${SECOND}'`)).id;
    // Alice's claim lands while Bob's is on its way
    await bob.page.route('**/api/queue/*/claim', async (route) => {
      await alice.account.pb.send(`/api/queue/${id}/claim`, { method: 'POST' });
      await route.continue();
    });
    await waitingList(bob).getByRole('button', { name: `Claim ${SECOND_SHOWN}` }).click();
    await queuePanel(bob).getByRole('status').getByText('Already claimed by Alice.').waitFor();
    await bob.page.unroute('**/api/queue/*/claim');
    expect(await bob.page.getByText('Do you deliver?').count()).toBe(0);
    expect(bob.page.url()).toMatch(/\/messages$/);
    await conversations(alice).getByRole('link', { name: new RegExp(escape(SECOND_SHOWN)) }).click();
    await messages(alice).getByText('Claimed by Alice').waitFor();
  });

  it('an unanswered claim goes back to the queue on the sweep, live in both browsers, and the tone repeats while it waits; logging out leaves a count', async () => {
    const swept = await ada.account.pb.send('/api/queue/sweep', { method: 'POST', body: { at: Date.now() + 121_000 } });
    expect(swept).toEqual({ released: 1, closed: 0 });
    await messages(alice).getByText('Returned to queue: no reply in 2 min').waitFor();
    await header(alice).getByRole('button', { name: 'Claim' }).waitFor();
    await waitingList(bob).getByText('Do you deliver?').waitFor();
    // while it waits unclaimed the tone comes back (every 30 s), with no new message
    const before = await tones(alice);
    await expect.poll(() => tones(alice), { timeout: 40_000, interval: 1000 }).toBeGreaterThan(before);

    await switchOf(bob).click();
    await bob.page.getByRole('switch', { name: 'Logged out of Sales' }).waitFor();
    await queuePanel(bob).getByText('1 waiting').waitFor();
    expect(await bob.page.getByText('Do you deliver?').count()).toBe(0);
    await shot(bob, 'agent-logged-out');
  });

  it('the admin edits a queue and archives one; its agents\' sidebars follow without reload', async () => {
    const page = ada.page;
    await page.goto('/admin/queues');
    await page.getByRole('button', { name: 'Edit Sales' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Sales' });
    expect(await edit.getByLabel('Release a claim after', { exact: true }).inputValue()).toBe('2');
    expect(await edit.getByLabel('Unit for release a claim after').inputValue()).toBe('min');
    await edit.getByLabel('Reply when nobody is logged in (optional)').fill('We answer from 9 am.');
    await edit.getByLabel('Close after', { exact: true }).fill('0');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.getByRole('row', { name: /Sales/ }).getByText('Close: never').waitFor();
    expect(await app.superuser.collection('queues').getOne(queueId)).toMatchObject({ away_reply: 'We answer from 9 am.', close_after_s: 0, release_after_s: 120 });

    await page.getByRole('button', { name: 'Archive Support' }).click();
    await page.getByRole('status').getByText('Support is archived: its agents are logged out and its conversations kept.').waitFor();
    await page.getByRole('row', { name: /Support/ }).getByRole('button', { name: 'Restore Support' }).waitFor();
    await alice.page.getByRole('switch', { name: /Support/ }).waitFor({ state: 'detached' });
    await alice.page.getByRole('switch', { name: 'Logged in to Sales' }).waitFor();
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
