// Search end to end, in Chromium against the real appliance: type in the
// sidebar's box, see conversations and messages grouped with the matching
// words marked (and markup shown as text), narrow with a filter, click a
// message far back in a long conversation and land on it, highlighted, with
// the history around it loaded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

const SHOTS = process.env.SCREENSHOTS ?? '';

describe('search', () => {
  let app: Appliance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ada: SignedIn, bob: SignedIn;
  let direct: string, group: string, target: string;
  let seq = 0;

  const post = (who: SignedIn, conversation: string, body: string) =>
    who.pb.collection('messages').create({ conversation, body, client_key: `e${++seq}` });
  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    [ada, bob] = await Promise.all([
      createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' }),
      createUser(app, { name: 'Bob Baker', extension: '202' }),
    ]);
    direct = (await ada.pb.send('/api/conversations/direct', { method: 'POST', body: { user: bob.record.id } })).id;
    group = (await ada.pb.send('/api/conversations/group', { method: 'POST', body: { title: 'Invoice team', members: [bob.record.id] } })).id;
    for (let i = 0; i < 10; i++) await post(ada, direct, `before the invoice talk ${i}`);
    target = (await post(ada, direct, 'The invoice from José is overdue <b>call him</b>')).id;
    // more than a page of history after it: the conversation opens far below
    for (let i = 0; i < 120; i++) await post(i % 2 ? ada : bob, direct, `filler line ${i}`);
    await post(bob, group, 'Invoices are due Friday');
    context = await browser.newContext({ baseURL: app.url, viewport: { width: 1100, height: 760 } });
    page = await context.newPage();
    await logInAs(page, '202', bob.password);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows conversations and messages found as you type, words marked, markup as text', async () => {
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('invoice');
    const convs = page.getByRole('list', { name: 'Conversations found' });
    const msgs = page.getByRole('list', { name: 'Messages found' });
    await expect.poll(() => convs.getByRole('link').allTextContents()).toEqual([expect.stringContaining('Invoice team')]);
    await expect.poll(() => msgs.getByRole('link').count()).toBe(12);
    // newest first: the group's message, then the direct one
    expect(await msgs.getByRole('link').first().textContent()).toContain('Invoices are due Friday');
    // the author, named as in the quick switcher (InboxState.authorOf): oneself as "You"
    expect(await msgs.getByRole('link').first().textContent()).toContain('You:');
    await shot('search-results');

    await box.fill('invoice jos');
    await expect.poll(() => msgs.getByRole('link').count()).toBe(1);
    const hit = msgs.getByRole('link');
    expect(await hit.locator('mark').allTextContents()).toEqual(['invoice', 'José']);
    expect(await hit.textContent()).toContain('<b>call him</b>');
    expect(await hit.textContent()).toContain('Ada Admin:');
    expect(await hit.locator('b').count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Conversations' }).count()).toBe(0);
  });

  it('narrows with a filter and says when nothing is found', async () => {
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('invoice');
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByLabel('Kind', { exact: true }).selectOption('sms');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Nothing found' }).textContent()).toContain('Nothing found with these filters.');
    await page.getByLabel('Kind', { exact: true }).selectOption('');
    await page.getByLabel('In', { exact: true }).selectOption(group);
    await expect.poll(() => page.getByRole('list', { name: 'Messages found' }).getByRole('link').allTextContents()).toEqual([
      expect.stringContaining('Invoices are due Friday'),
    ]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('button', { name: 'Filters' }).click();
    await box.fill('"call him"');
    await expect.poll(() => page.getByRole('list', { name: 'Messages found' }).getByRole('link').count()).toBe(1);
    await box.fill('""');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Type a word' }).count()).toBe(1);
  });

  it('opens a found message far back, scrolled to it and highlighted, with the history around it', async () => {
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('overdue');
    const hit = page.getByRole('list', { name: 'Messages found' }).getByRole('link');
    await expect.poll(() => hit.count()).toBe(1);
    await hit.click();
    await page.waitForURL(`**/messages/${direct}?message=${target}`);
    const row = page.locator(`li[data-id="${target}"]`);
    await expect.poll(() => row.getAttribute('class')).toContain('flash');
    await shot('search-landed');
    // in view inside the scroller
    const [box1, pane] = await Promise.all([row.boundingBox(), page.locator('.scroller').boundingBox()]);
    expect(box1!.y).toBeGreaterThanOrEqual(pane!.y);
    expect(box1!.y + box1!.height).toBeLessThanOrEqual(pane!.y + pane!.height);
    // what came before and after it is there, as one unbroken history
    const list = page.getByRole('list', { name: 'Messages with Ada Admin' });
    await expect.poll(() => list.getByText('before the invoice talk 9').count()).toBe(1);
    expect(await list.getByText('filler line 0', { exact: true }).count()).toBe(1);
    expect(await list.getByText('filler line 119').count()).toBe(1);
    // the highlight fades
    await expect.poll(() => row.getAttribute('class'), { timeout: 10_000 }).not.toContain('flash');
  });

  it('finds words of messages in the Ctrl+K quick switcher too, and opens the conversation at the message', async () => {
    await page.goto('/messages');
    await page.getByRole('searchbox', { name: 'Search messages' }).waitFor();
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Go to' });
    const box = dialog.getByRole('combobox', { name: 'Conversation or person' });
    await box.fill('overdue');
    const found = dialog.getByRole('group', { name: 'Messages' }).getByRole('option');
    await expect.poll(() => found.count()).toBe(1);
    expect((await found.innerText()).replace(/\s+/g, ' ')).toContain('Ada Admin: The invoice from José is overdue');
    await found.click();
    await page.waitForURL(`**/messages/${direct}?message=${target}`);
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator(`li[data-id="${target}"]`).getAttribute('class')).toContain('flash');
  });
});
