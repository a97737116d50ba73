// What a newcomer tripped over (issue 14), end to end in Chromium against the
// real appliance: a message seen just before leaving its conversation stays
// read; the administrator rewords the STOP / START / HELP replies; a
// conversation whose newest text failed is marked in the sidebar; an
// opt-out is dated "today" and leaves the start of the thread in view; long
// titles wrap at phone width; initials avatars, the dark theme (every page
// passes axe in both themes) and the Ctrl+K quick switcher.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { axeViolations } from '../helpers/axe';
import { avatarColour } from '../../src/lib/chat/avatar';

describe('newcomer polish', () => {
  let app: Appliance;
  let browser: Browser;
  let alice: SignedIn, bob: SignedIn;
  let bridge: SignedIn;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    [alice, bob] = await Promise.all([createUser(app, { name: 'Alice', extension: '201' }), createUser(app, { name: 'Bob', extension: '202' })]);
    const main = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
    await app.superuser.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
    bridge = await createService(app, 'bridge');
    const context = await browser.newContext({ baseURL: app.url });
    page = await context.newPage();
    await logInAs(page, '201', alice.password);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const conversations = () => page.getByRole('navigation', { name: 'Conversations' });

  /** signIn opens a page of its own for an account, e.g. at phone size or in the dark theme. */
  async function signIn(account: SignedIn, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ baseURL: app.url, ...options });
    const p = await context.newPage();
    await logInAs(p, String(account.record.extension), account.password);
    return p;
  }

  it('records as read a message shown a moment before leaving the conversation', async () => {
    const direct = await bob.pb.send('/api/conversations/direct', { method: 'POST', body: { user: alice.record.id } });
    await bob.pb.collection('messages').create({ conversation: direct.id, body: 'first' });
    const row = conversations().getByRole('link', { name: /^CHAT Bob/ });
    await row.getByText('1 unread').waitFor();
    // opening marks "first" read; "second" arrives within the read debounce,
    // and Alice leaves at once
    await row.click();
    await page.getByRole('list', { name: /^Messages with / }).getByText('first').waitFor();
    await expect.poll(async () => (await alice.pb.collection('participants').getFirstListItem(`conversation = '${direct.id}' && user = '${alice.record.id}'`)).last_read_at).not.toBe('');
    await bob.pb.collection('messages').create({ conversation: direct.id, body: 'second' });
    await page.getByRole('list', { name: /^Messages with / }).getByText('second').waitFor();
    // leave for another page inside the app (the conversation view closes)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Phonebook/ }).click();
    await page.waitForURL('**/phonebook');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ }).click();
    // what the server counts, after a reload
    await expect.poll(async () => (await alice.pb.send('/api/unread', {}))[direct.id] ?? 0).toBe(0);
    await page.reload();
    await conversations().getByRole('link', { name: /^CHAT Bob/ }).waitFor();
    expect(await conversations().getByRole('link', { name: /^CHAT Bob/ }).textContent()).not.toContain('unread');
  });

  it('marks a conversation whose newest text failed, until a retry or a newer message (item 4)', async () => {
    const thread = await alice.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+14155550123' } });
    const text = async (body: string) => {
      const m = await alice.pb.collection('messages').create({ conversation: thread.id, body });
      return app.superuser.collection('deliveries').getFirstListItem(`message = '${m.id}'`);
    };
    const row = conversations().getByRole('link', { name: /^SMS / }).filter({ hasText: 'Are you coming?' });
    const d = await text('Are you coming?');
    await row.waitFor();
    expect(await row.getByText('Failed').count()).toBe(0);
    await bridge.pb.collection('deliveries').update(d.id, { status: 'failed', error: 'Number does not exist', error_code: '0x0B' });
    // said in words, not only in colour, and in the row's accessible name
    await conversations().getByRole('link', { name: /Failed to send/ }).waitFor();
    expect((await app.superuser.collection('conversations').getOne(thread.id)).last_failed).toBe(true);
    // the title counts unread messages from others only: a failure is your own text, shown where you look for it
    expect(await page.title()).toBe('Messages');
    // a reload reads the mark from the record
    await page.reload();
    await conversations().getByRole('link', { name: /Failed to send/ }).waitFor();

    // a retry that goes out clears it
    await alice.pb.send(`/api/deliveries/${d.id}/retry`, { method: 'POST' });
    await expect.poll(async () => (await row.innerText()).includes('Failed')).toBe(false);
    expect((await app.superuser.collection('conversations').getOne(thread.id)).last_failed).toBe(false);

    // a newer message clears a mark; a failure of an older text does not set it
    await bridge.pb.collection('deliveries').update(d.id, { status: 'failed', error: 'Number does not exist', error_code: '0x0B' });
    await conversations().getByRole('link', { name: /Failed to send/ }).waitFor();
    const later = await text('Running late');
    await conversations().getByRole('link', { name: /^SMS / }).filter({ hasText: 'Running late' }).waitFor();
    expect(await conversations().getByRole('link', { name: /Failed to send/ }).count()).toBe(0);
    await alice.pb.send(`/api/deliveries/${d.id}/retry`, { method: 'POST' });
    await bridge.pb.collection('deliveries').update(d.id, { status: 'failed', error: 'Still no', error_code: '0x0B' });
    await bridge.pb.collection('deliveries').update(later.id, { status: 'delivered' });
    expect((await app.superuser.collection('conversations').getOne(thread.id)).last_failed).toBe(false);
    expect(await conversations().getByRole('link', { name: /Failed to send/ }).count()).toBe(0);
  });

  it('shows an opt-out above the composer, dated like the messages, leaving the start of the thread in view (item 5)', async () => {
    const inbound = (body: string, key: string) =>
      bridge.pb.send<{ conversation: string }>('/api/sms/inbound', { method: 'POST', body: { from: '+14155550177', to: '+12015550100', body, dedupe_key: key } });
    const { conversation } = await inbound('Is my order ready?', 'optout-1');
    await page.goto(`/messages/${conversation}`);
    const beginning = page.getByText('This is the beginning of the conversation.');
    await beginning.waitFor();
    await inbound('STOP', 'optout-2');
    const banner = page.getByRole('status').filter({ hasText: '(415) 555-0177 opted out today (replied STOP). Texts to them are refused until they reply START.' });
    await banner.waitFor();
    // the confirmation sent from our number is in the thread, marked as automatic
    await page.getByRole('list', { name: /^Messages with / }).getByText(/^Sent automatically to \(415\) 555-0177: “You are unsubscribed/).waitFor();
    expect(await page.getByText(/opted out (on )?\d{4}-\d\d-\d\d/).count()).toBe(0);
    await page.getByText('(415) 555-0177 opted out of texts from this number today (replied STOP).').waitFor();
    // nothing lies on the first line: what the browser finds at its centre is the line itself
    const uncovered = await beginning.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!hit && el.contains(hit);
    });
    expect(uncovered).toBe(true);
    const [line, box] = await Promise.all([beginning.boundingBox(), banner.boundingBox()]);
    expect(box!.y).toBeGreaterThanOrEqual(line!.y + line!.height);
    await inbound('START', 'optout-3');
    await expect.poll(() => banner.count()).toBe(0);
  });

  it('wraps a long group title to two lines in the header at phone width, not "Delivery …" (item 9)', async () => {
    const title = 'Delivery team night shift coordination';
    const longest = 'Delivery team night shift coordination for the north warehouse, the south depot and every driver';
    const [g, h] = await Promise.all(
      [title, longest].map((t) => alice.pb.send('/api/conversations/group', { method: 'POST', body: { title: t, members: [bob.record.id] } }))
    );
    const phone = await signIn(alice, { viewport: { width: 375, height: 740 } });
    /** shape measures the header title: its lines and whether any of it is cut */
    const shape = async () => {
      const heading = phone.getByRole('heading', { level: 2 });
      return heading.evaluate((el) => {
        const line = parseFloat(getComputedStyle(el).lineHeight);
        const r = el.getBoundingClientRect();
        return { lines: Math.round(r.height / line), cut: el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1, right: r.right, tip: el.getAttribute('title') };
      });
    };
    await phone.goto(`/messages/${g.id}`);
    await phone.getByRole('heading', { name: title }).waitFor();
    expect(await shape()).toEqual({ lines: 2, cut: false, right: expect.any(Number), tip: title });
    expect((await shape()).right).toBeLessThanOrEqual(375);
    // past two lines it ends in "…", and the whole title is still its name and its tooltip
    await phone.goto(`/messages/${h.id}`);
    await phone.getByRole('heading', { name: longest }).waitFor();
    expect(await shape()).toMatchObject({ lines: 2, cut: true, tip: longest });
    await phone.context().close();
  });

  it('lets an administrator reword the automatic replies, refusing a STOP reply without the way back', async () => {
    const admin = await createUser(app, { name: 'Ada', extension: '209', role: 'admin' });
    const context = await browser.newContext({ baseURL: app.url });
    const p = await context.newPage();
    await logInAs(p, '209', admin.password);
    await p.goto('/admin/settings');
    const stop = p.getByLabel('Reply to STOP');
    await expect.poll(() => stop.inputValue()).toContain('Reply START');
    await stop.fill('Bye.');
    await p.getByRole('button', { name: 'Save settings' }).click();
    await p.getByText('Say how to opt back in').first().waitFor();
    await stop.fill('No more texts from us. Text START to come back.');
    await p.getByRole('button', { name: 'Save settings' }).click();
    await p.getByText('Settings saved.').waitFor();
    expect((await app.superuser.collection('settings').getFirstListItem('')).stop_reply).toBe('No more texts from us. Text START to come back.');
    await p.getByRole('button', { name: 'Use the default Reply to STOP' }).click();
    expect(await stop.inputValue()).toBe('You are unsubscribed and will get no more texts from this number. Reply START to subscribe again.');
    await context.close();
  });

  it('gives each conversation an initials avatar coloured from its name, with readable letters (item 12)', async () => {
    await page.goto('/messages');
    const row = conversations().getByRole('link', { name: /^CHAT Bob/ });
    await row.waitFor();
    const avatar = row.locator('.avatar');
    expect(await avatar.getAttribute('aria-hidden')).toBe('true');
    expect(await avatar.textContent()).toBe('B');
    const [bg, fg] = await avatar.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    expect(bg).toBe(rgb(avatarColour('Bob')));
    expect(fg).toBe('rgb(255, 255, 255)');
  });

  it('follows the system’s dark setting on every page, with no axe violations in either theme (item 12)', async () => {
    const admin = await createUser(app, { name: 'Ida Admin', extension: '210', role: 'admin' });
    const p = await signIn(admin);
    const group = await admin.pb.send('/api/conversations/group', { method: 'POST', body: { title: 'Night shift', members: [alice.record.id] } });
    await admin.pb.collection('messages').create({ conversation: group.id, body: 'Gate code changed' });
    const pages = [
      '/messages',
      `/messages/${group.id}`,
      '/phonebook',
      '/admin/start',
      '/admin/users',
      '/admin/numbers',
      '/admin/queues',
      '/admin/links',
      '/admin/unrouted',
      '/admin/settings',
      '/admin/backups',
      '/admin/audit'
    ];
    const found: string[] = [];
    // the login page, before signing in
    const out = await (await browser.newContext({ baseURL: app.url })).newPage();
    await out.goto('/login');
    await out.getByRole('button', { name: 'Log in' }).waitFor();
    for (const colorScheme of ['light', 'dark'] as const) {
      await out.emulateMedia({ colorScheme });
      for (const v of await axeViolations(out)) found.push(`${colorScheme} /login: ${v.id} ${v.nodes.join(', ')}`);
    }
    await out.context().close();
    for (const colorScheme of ['light', 'dark'] as const) {
      await p.emulateMedia({ colorScheme });
      for (const url of pages) {
        await p.goto(url);
        await p.getByRole('main').getByRole('heading').first().waitFor();
        await p.waitForLoadState('networkidle');
        for (const v of await axeViolations(p)) found.push(`${colorScheme} ${url}: ${v.id} ${v.nodes.join(', ')}`);
      }
      const [bg, text] = await p.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
      expect([bg, text]).toEqual(colorScheme === 'dark' ? ['rgb(22, 24, 28)', 'rgb(236, 238, 241)'] : ['rgb(255, 255, 255)', 'rgb(26, 26, 26)']);
    }
    expect(found).toEqual([]);
    await p.context().close();
  }, 240_000);

  it('jumps to a conversation or a person from the keyboard alone with Ctrl+K (item 12)', async () => {
    const carol = await createUser(app, { name: 'Carol Delgado', extension: '203' });
    const p = await signIn(alice);
    await p.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: /^CHAT Bob/ }).waitFor();
    const dialog = p.getByRole('dialog', { name: 'Go to' });
    const box = dialog.getByRole('combobox', { name: 'Conversation or person' });
    const results = dialog.getByRole('listbox', { name: 'Results' });
    /** highlighted is the option the combobox points at, read the way assistive technology reads it */
    const highlighted = async () => {
      const id = await box.getAttribute('aria-activedescendant');
      const option = dialog.locator(`[id="${id}"]`);
      expect(await option.getAttribute('role')).toBe('option');
      expect(await option.getAttribute('aria-selected')).toBe('true');
      return (await option.innerText()).replace(/\s+/g, ' ');
    };

    for (const colorScheme of ['light', 'dark'] as const) {
      await p.emulateMedia({ colorScheme });
      await p.keyboard.press('Control+k');
      await box.waitFor();
      // focus is in the box at once; recent conversations are listed
      expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
      await results.getByRole('group', { name: 'Conversations' }).getByRole('option', { name: /Bob/ }).waitFor();
      await box.fill('del');
      await results.getByRole('group', { name: 'People' }).getByRole('option', { name: /Carol Delgado/ }).waitFor();
      expect(await axeViolations(p)).toEqual([]);
      await p.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    }

    // a conversation: its title, Enter
    await p.keyboard.press('Control+k');
    await box.pressSequentially('bob');
    expect(await highlighted()).toMatch(/Bob/);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Bob', exact: true }).waitFor();
    await dialog.waitFor({ state: 'hidden' });

    // a person you have no chat with: the arrows move through every group and wrap; Enter starts the chat
    await p.keyboard.press('Meta+k');
    await box.pressSequentially('carol');
    expect(await highlighted()).toContain('Carol Delgado');
    await p.keyboard.press('ArrowDown');
    expect(await highlighted()).toContain('Carol Delgado');
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Carol Delgado', exact: true }).waitFor();
    const direct = await alice.pb.send('/api/conversations/direct', { method: 'POST', body: { user: carol.record.id } });
    expect(p.url()).toContain(`/messages/${direct.id}`);

    // nothing matches: said in words; Escape gives focus back to where it was
    await p.getByRole('textbox', { name: /^Message / }).focus();
    await p.keyboard.press('Control+k');
    await box.pressSequentially('zzz');
    await dialog.getByRole('status').filter({ hasText: 'Nothing matches “zzz”.' }).waitFor();
    expect(await results.count()).toBe(0);
    await p.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await p.getByRole('textbox', { name: /^Message / }).evaluate((el) => el === document.activeElement)).toBe(true);

    // the button in the top bar opens it too, and says its shortcut
    const button = p.getByRole('button', { name: 'Go to' });
    expect(await button.getAttribute('aria-keyshortcuts')).toBe('Control+K Meta+K');
    await button.click();
    await box.waitFor();
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('Escape');
    await p.context().close();
  });
});
