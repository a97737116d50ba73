// Team chat end to end: three colleagues, each in their own browser context,
// signed in through the login page, against the real appliance. A message
// arrives without reload; empty and over-long texts are refused; the unread
// badge, the red dot and the title count appear and clear; the sender sees
// who read it; typing shows and goes; a group is renamed for everyone and a
// removed member loses it; a send that failed offline is retried once and
// what was missed arrives after the reconnect; the view follows new messages
// or offers a jump to them; the admin saves the alert tone; mute is per user.
// The tests run in order and build on each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

interface Person {
  account: SignedIn;
  context: BrowserContext;
  page: Page;
}

describe('team chat', () => {
  let app: Appliance;
  let browser: Browser;
  let alice: Person, bob: Person, carol: Person;

  /** signIn opens a context for the account and logs in through the login page. */
  async function signIn(account: SignedIn): Promise<Person> {
    const context = await browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return { account, context, page };
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    const [a, b, c] = await Promise.all([
      createUser(app, { name: 'Alice', extension: '201', role: 'admin' }),
      createUser(app, { name: 'Bob', extension: '202' }),
      createUser(app, { name: 'Carol', extension: '203' })
    ]);
    // a disabled colleague is never offered
    const gone = await createUser(app, { name: 'Gone Away', extension: '299' });
    await app.superuser.collection('users').update(gone.record.id, { disabled: true });
    [alice, bob, carol] = await Promise.all([signIn(a), signIn(b), signIn(c)]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const conversations = (p: Person) => p.page.getByRole('navigation', { name: 'Conversations' });
  const mainNav = (p: Person) => p.page.getByRole('navigation', { name: 'Main' });
  const composer = (p: Person) => p.page.getByRole('textbox', { name: /^Message / });
  const messages = (p: Person) => p.page.getByRole('list', { name: /^Messages with / });
  const titleIs = (p: Person, title: string) => p.page.waitForFunction((t) => document.title === t, title);

  async function send(p: Person, text: string) {
    await composer(p).fill(text);
    await composer(p).press('Enter');
  }

  async function openNew(p: Person, item: 'Chat' | 'Group') {
    const button = p.page.getByRole('button', { name: 'New', exact: true });
    await button.focus();
    await p.page.keyboard.press('ArrowDown');
    const menu = p.page.getByRole('menu', { name: 'New' });
    await menu.waitFor();
    // arrow down to the item, wherever the menu puts it
    const target = menu.getByRole('menuitem', { name: item, exact: true });
    for (let i = 0; i < 5 && !(await target.evaluate((el) => el === document.activeElement)); i++) await p.page.keyboard.press('ArrowDown');
    await expect.poll(() => target.evaluate((el) => el === document.activeElement)).toBe(true);
    await p.page.keyboard.press('Enter');
  }

  it('a direct message reaches the recipient live; unread badge, red dot and title count clear when opened; the sender sees the read mark', async () => {
    // the + New menu: Escape closes it and gives the focus back
    const newButton = alice.page.getByRole('button', { name: 'New', exact: true });
    await newButton.click();
    expect(await newButton.getAttribute('aria-expanded')).toBe('true');
    await alice.page.keyboard.press('Escape');
    await alice.page.getByRole('menu').waitFor({ state: 'detached' });
    expect(await newButton.evaluate((el) => el === document.activeElement)).toBe(true);

    await openNew(alice, 'Chat');
    const dialog = alice.page.getByRole('dialog', { name: 'New chat' });
    const picker = dialog.getByRole('list', { name: 'Colleagues' });
    await picker.getByRole('button').first().waitFor();
    expect((await picker.getByRole('button').allTextContents()).map((t) => t.trim())).toEqual(['Bob 202', 'Carol 203']);
    await dialog.getByLabel('Search colleagues').fill('202');
    await picker.getByRole('button', { name: /Bob/ }).click();
    await alice.page.waitForURL(/\/messages\/\w+$/);
    const conversationUrl = alice.page.url();
    await alice.page.getByRole('heading', { name: 'Bob' }).waitFor();

    // empty and over-long texts are refused with a clear message
    await composer(alice).press('Enter');
    await alice.page.getByRole('alert').filter({ hasText: 'Write something before sending.' }).waitFor();
    await composer(alice).fill('x'.repeat(4001));
    await composer(alice).press('Enter');
    await alice.page.getByRole('alert').filter({ hasText: 'Messages are limited to 4000 characters; this one has 4001.' }).waitFor();

    await send(alice, 'Hello Bob');
    // a double Enter sends once
    await composer(alice).press('Enter');
    await messages(alice).getByText('Hello Bob').waitFor();
    await messages(alice).getByText('Sent', { exact: true }).waitFor();
    expect(await composer(alice).inputValue()).toBe('');

    // Bob, on /messages since login, without reload
    const row = conversations(bob).getByRole('link', { name: /^CHAT Alice/ });
    await row.getByText('1 unread').waitFor();
    expect(await row.textContent()).toContain('CHAT');
    expect(await row.textContent()).toContain('Hello Bob');
    await mainNav(bob).getByRole('link', { name: 'Messages (1 unread)' }).waitFor();
    await titleIs(bob, '(1) Messages');

    await row.click();
    await messages(bob).getByText('Hello Bob').waitFor();
    await row.getByText('1 unread').waitFor({ state: 'detached' });
    await mainNav(bob).getByRole('link', { name: 'Messages', exact: true }).waitFor();
    await titleIs(bob, 'Alice · Messages');

    await messages(alice).getByText('Read by Bob').waitFor();
    expect(await messages(alice).getByText('Hello Bob').count()).toBe(1);
    expect(await alice.page.getByRole('alert').filter({ hasText: 'Write something' }).count()).toBe(0);

    // opening the pair again gives the same conversation, never a second one
    await openNew(bob, 'Chat');
    await bob.page.getByRole('dialog', { name: 'New chat' }).getByRole('button', { name: /Alice/ }).click();
    await bob.page.waitForURL(conversationUrl);
    expect(await conversations(bob).getByRole('link').count()).toBe(1);
  });

  it('typing shows for the other side, and goes when the message arrives', async () => {
    await composer(bob).pressSequentially('Hi Al');
    await alice.page.getByRole('status').filter({ hasText: 'Bob is typing…' }).waitFor();
    await conversations(alice).getByText('Bob is typing…').waitFor();
    await composer(bob).pressSequentially('ice');
    await composer(bob).press('Enter');
    await messages(alice).getByText('Hi Alice').waitFor();
    await alice.page.getByText('Bob is typing…').first().waitFor({ state: 'detached' });
    // Shift+Enter is a new line, not a send
    await composer(bob).press('Shift+Enter');
    expect(await composer(bob).inputValue()).toBe('\n');
    await composer(bob).fill('');
  });

  it('a group is renamed for everyone; a removed member loses it; leaving asks first', async () => {
    await openNew(alice, 'Group');
    const dialog = alice.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Support');
    await dialog.getByLabel('Search colleagues').fill('o'); // Bob and Carol, not Gone Away (disabled)
    await dialog.getByRole('checkbox', { name: /Bob/ }).check();
    await dialog.getByRole('checkbox', { name: /Carol/ }).check();
    expect(await dialog.getByRole('checkbox').count()).toBe(2);
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await alice.page.getByRole('heading', { name: 'Support' }).waitFor();
    await messages(alice).getByText('Alice created the group Support with Bob and Carol').waitFor();

    const carolRow = conversations(carol).getByRole('link', { name: /^GROUP Support/ });
    await carolRow.getByText('1 unread').waitFor();
    expect(await carolRow.textContent()).toContain('GROUP');
    await carolRow.click();
    await messages(carol).getByText('Alice created the group').waitFor();
    await conversations(bob).getByRole('link', { name: /^GROUP Support/ }).click();

    // Carol types, then stops: the indicator goes by itself
    await composer(carol).pressSequentially('hm');
    const indicator = bob.page.getByRole('status').filter({ hasText: 'Carol is typing…' });
    await indicator.waitFor();
    await indicator.waitFor({ state: 'detached', timeout: 8000 });

    await alice.page.getByRole('button', { name: /3 members/ }).click();
    const details = alice.page.getByRole('dialog', { name: 'Group details' });
    await details.getByLabel('Group name').fill('Ops');
    await details.getByRole('button', { name: 'Rename' }).click();
    await details.getByText('Renamed to Ops.').waitFor();

    await bob.page.getByRole('heading', { name: 'Ops' }).waitFor();
    await messages(bob).getByText('Alice renamed the group to Ops').waitFor();
    await conversations(carol).getByRole('link', { name: /^GROUP Ops/ }).waitFor();
    await titleIs(carol, 'Ops · Messages');

    // removing asks first; Cancel changes nothing
    await details.getByRole('button', { name: 'Remove Carol' }).click();
    await details.getByRole('group', { name: 'Remove Carol?' }).getByRole('button', { name: 'Cancel' }).click();
    await details.getByRole('button', { name: 'Remove Carol' }).click();
    await details.getByRole('button', { name: 'Yes, remove Carol' }).click();
    await carol.page.waitForURL((url) => url.pathname === '/messages');
    await carol.page.getByText('You are no longer in Ops.').waitFor();
    expect(await conversations(carol).getByRole('link', { name: /^GROUP Ops/ }).count()).toBe(0);
    await messages(bob).getByText('Alice removed Carol').waitFor();
    await alice.page.keyboard.press('Escape');

    // Bob leaves, after confirming
    await bob.page.getByRole('button', { name: /2 members/ }).click();
    await bob.page.getByRole('dialog', { name: 'Group details' }).getByRole('button', { name: 'Leave group' }).click();
    const confirm = bob.page.getByRole('dialog', { name: 'Leave Ops?' });
    await confirm.getByRole('button', { name: 'Leave group' }).click();
    await bob.page.waitForURL((url) => url.pathname === '/messages');
    await bob.page.getByText('You left Ops.').waitFor();
    await messages(alice).getByText('Bob left the group').waitFor();
  });

  it('a send that failed offline is marked, retried once with its key, and missed messages arrive after the reconnect', async () => {
    await alice.page.goto('/messages');
    await conversations(alice).getByRole('link', { name: /^CHAT Bob/ }).click();
    await messages(alice).getByText('Hi Alice').waitFor();

    await alice.context.setOffline(true);
    await alice.page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 5000 });
    await send(alice, 'Sent while offline');
    await messages(alice).getByText('Not sent:').waitFor();
    // meanwhile Bob writes; Alice's realtime connection is down
    await conversations(bob).getByRole('link', { name: /^CHAT Alice/ }).click();
    await messages(bob).getByText('Hi Alice').waitFor();
    await send(bob, 'Did you get this?');
    await messages(bob).getByText('Did you get this?').waitFor();
    // the stream was closed when the browser went offline: it can only come by the catch-up
    expect(await messages(alice).getByText('Did you get this?').count()).toBe(0);

    await alice.context.setOffline(false);
    await messages(alice).getByRole('button', { name: 'Retry' }).click();
    await messages(alice).getByText('Not sent:').waitFor({ state: 'detached' });
    await messages(bob).getByText('Sent while offline').waitFor();
    await messages(alice).getByText('Did you get this?').waitFor({ timeout: 15_000 });
    await alice.page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ state: 'detached' });

    const stored = await app.superuser.collection('messages').getFullList({ filter: 'body = "Sent while offline"' });
    expect(stored).toHaveLength(1);
  });

  it('the view follows new messages at the bottom; scrolled up, it offers a jump to them instead', async () => {
    const chat = new URL(alice.page.url()).pathname.split('/').pop()!;
    for (let i = 1; i <= 30; i++) await bob.account.pb.collection('messages').create({ conversation: chat, body: `line ${i}` });
    const last = messages(alice).getByText('line 30', { exact: true });
    await last.waitFor();
    await expect.poll(() => last.evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight)).toBe(true);

    await alice.page.locator('.scroller').evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    for (const body of ['below 1', 'below 2']) await bob.account.pb.collection('messages').create({ conversation: chat, body });
    const jump = alice.page.getByRole('button', { name: '2 new messages' });
    await jump.click();
    await jump.waitFor({ state: 'detached' });
    await messages(alice).getByText('below 2').waitFor();
    await conversations(alice).getByRole('link', { name: /^CHAT Bob/ }).getByText('unread').waitFor({ state: 'detached' });
  });

  it('the admin chooses the alert tone and default country; a member can mute the tone', async () => {
    await mainNav(alice).getByRole('link', { name: 'Admin' }).click();
    await alice.page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Settings' }).click();
    await alice.page.getByRole('radio', { name: 'Bell' }).check();
    await alice.page.getByRole('button', { name: 'Play Bell' }).click();
    await alice.page.getByLabel('Default country').fill('de');
    await alice.page.getByRole('button', { name: 'Save settings' }).click();
    await alice.page.getByText('Settings saved.').waitFor();
    const settings = await app.superuser.collection('settings').getFirstListItem('');
    expect(settings).toMatchObject({ alert_tone: 'bell', default_country: 'DE' });

    // a switch that says its state, to the eye and to a screen reader
    const mute = bob.page.getByRole('switch', { name: 'Alert tone' });
    expect(await mute.getAttribute('aria-checked')).toBe('true');
    expect(await mute.textContent()).toContain('Alert tone on');
    await mute.click();
    await expect.poll(() => mute.getAttribute('aria-checked')).toBe('false');
    expect(await mute.textContent()).toContain('Alert tone off');
    expect((await app.superuser.collection('users').getOne(bob.account.record.id)).alert_muted).toBe(true);
  });
});
