// What a newcomer tripped over (issue 14), end to end in Chromium against the
// real appliance: a message seen just before leaving its conversation stays
// read; the administrator rewords the STOP / START / HELP replies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser, launchBrowser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

describe('newcomer polish', () => {
  let app: Appliance;
  let browser: Browser;
  let alice: SignedIn, bob: SignedIn;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    [alice, bob] = await Promise.all([createUser(app, { name: 'Alice', extension: '201' }), createUser(app, { name: 'Bob', extension: '202' })]);
    const context = await browser.newContext({ baseURL: app.url });
    page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email or extension').fill('201');
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/messages');
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const conversations = () => page.getByRole('navigation', { name: 'Conversations' });

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

  it('lets an administrator reword the automatic replies, refusing a STOP reply without the way back', async () => {
    const admin = await createUser(app, { name: 'Ada', extension: '209', role: 'admin' });
    const context = await browser.newContext({ baseURL: app.url });
    const p = await context.newPage();
    await p.goto('/login');
    await p.getByLabel('Email or extension').fill('209');
    await p.getByLabel('Password').fill(admin.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL('**/messages');
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
});
