// Scheduled sends end to end, in Chromium against the real appliance: an
// admin sets the business's time zone, Bob schedules a text with "Send
// later" (the picker names the zone), Carol sees it in the thread as
// scheduled with its time and who may cancel it, Bob cancels it and it
// leaves both screens. docs/scheduled.md.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RecordModel } from 'pocketbase';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { axeViolations } from '../helpers/axe';

// with SCREENSHOTS=<dir>, the screens are written there (as in the other e2e tests)
const SHOTS = process.env.SCREENSHOTS ?? '';

describe('scheduled sends', () => {
  let app: Appliance;
  let browser: Browser;
  let admin: SignedIn, bob: SignedIn, carol: SignedIn;
  let thread: RecordModel;
  const contexts: BrowserContext[] = [];
  let bobPage: Page, carolPage: Page;

  async function signIn(account: SignedIn): Promise<Page> {
    const context = await browser.newContext({ baseURL: app.url });
    contexts.push(context);
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return page;
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    const main = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
    admin = await createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' });
    bob = await createUser(app, { name: 'Bob', extension: '201' });
    carol = await createUser(app, { name: 'Carol', extension: '202' });
    for (const u of [bob, carol]) await app.superuser.collection('users').update(u.record.id, { sms_numbers: [main.id], default_number: main.id });
    thread = await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.stop();
  });

  it("an admin sets the business's time zone under Settings", async () => {
    const page = await signIn(admin);
    await page.goto('/admin/settings');
    const zone = page.getByLabel('Time zone');
    await expect.poll(() => zone.inputValue()).toBe('UTC');
    await zone.fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Not a time zone this browser knows').waitFor();
    await zone.fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect((await app.superuser.collection('settings').getFirstListItem('')).time_zone).toBe('Europe/Berlin');
  });

  it('Bob schedules a text with Send later; Carol sees it as scheduled', async () => {
    [bobPage, carolPage] = await Promise.all([signIn(bob), signIn(carol)]);
    await Promise.all([bobPage.goto(`/messages/${thread.id}`), carolPage.goto(`/messages/${thread.id}`)]);
    const composer = bobPage.getByRole('textbox', { name: /^Message / });
    await composer.fill('Your table for 4 is ready at 7 pm');
    await bobPage.getByRole('button', { name: 'Schedule for later' }).click();
    const panel = bobPage.getByRole('group', { name: 'Send later' });
    await panel.getByText('Times are in Europe/Berlin').waitFor();
    // tomorrow at 09:30, Berlin time
    const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() + 86400_000));
    await panel.getByLabel('Date').fill(tomorrow);
    await panel.getByLabel('Time').fill('09:30');
    await panel.getByText(/^Goes .*09:30\.$/).waitFor();
    if (SHOTS) await bobPage.screenshot({ path: join(SHOTS, 'scheduled-picker.png') });
    expect(await axeViolations(bobPage)).toEqual([]);
    // scheduling ends the typing signal at once, as a send does (Carol does not see "Bob is typing…" for its 5 s)
    const stopped = bobPage.waitForRequest((r) => r.url().endsWith(`/api/conversations/${thread.id}/typing`) && r.postDataJSON()?.stopped === true);
    await panel.getByRole('button', { name: 'Schedule' }).click();
    await stopped;
    await panel.waitFor({ state: 'hidden' });
    expect(await composer.inputValue()).toBe('');

    const mine = bobPage.getByRole('region', { name: 'Scheduled texts' });
    await mine.getByText('Your table for 4 is ready at 7 pm').waitFor();
    await mine.getByText(/for .*09:30 \(Europe\/Berlin\) · by you/).waitFor();
    const theirs = carolPage.getByRole('region', { name: 'Scheduled texts' });
    await theirs.getByText('Your table for 4 is ready at 7 pm').waitFor();
    await theirs.getByText(/· by Bob$/).waitFor();
    // Carol did not write it: she is told who may cancel it
    await theirs.getByText('Bob or an administrator can cancel it.').waitFor();
    expect(await theirs.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
    if (SHOTS) await bobPage.screenshot({ path: join(SHOTS, 'scheduled-bob.png') });
    await bobPage.setViewportSize({ width: 390, height: 760 });
    if (SHOTS) await bobPage.screenshot({ path: join(SHOTS, 'scheduled-bob-phone.png') });
    await bobPage.setViewportSize({ width: 1280, height: 720 });
    if (SHOTS) await carolPage.screenshot({ path: join(SHOTS, 'scheduled-carol.png') });
    expect(await axeViolations(carolPage)).toEqual([]);

    // stored for its time in Berlin, not sent
    const [row] = await app.superuser.collection('scheduled_messages').getFullList({ filter: `conversation = "${thread.id}"` });
    expect(row).toMatchObject({ state: 'scheduled', author: bob.record.id });
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(row.send_at.replace(' ', 'T')));
    expect(berlin).toBe('09:30');
    expect(await app.superuser.collection('deliveries').getFullList()).toEqual([]);
  });

  it('Bob cancels it, and it leaves both screens', async () => {
    const mine = bobPage.getByRole('region', { name: 'Scheduled texts' });
    await mine.getByRole('button', { name: /^Cancel the text scheduled for/ }).click();
    await mine.waitFor({ state: 'detached' });
    await carolPage.getByRole('region', { name: 'Scheduled texts' }).waitFor({ state: 'detached' });
    const [row] = await app.superuser.collection('scheduled_messages').getFullList({ filter: `conversation = "${thread.id}"` });
    expect(row).toMatchObject({ state: 'cancelled', cancelled_by: bob.record.id });
    expect(await app.superuser.collection('messages').getFullList({ filter: `conversation = "${thread.id}" && kind = "text"` })).toEqual([]);
  });
});
