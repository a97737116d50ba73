// The compose row at phone width, in Chromium against the real appliance:
// at 390 × 844 attach, templates and "Schedule for later" fold into one
// "More" menu so the text box keeps at least 60 % of the row (with the three
// buttons beside it, it had about 40 % and "Write a message" wrapped). Each
// action is reached from the menu by keyboard or pointer under the name it
// has on a desktop and does what it does there; on a desktop the row keeps
// its buttons and has no menu. Light and dark themes pass axe.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { axeViolations } from '../helpers/axe';

// with SCREENSHOTS=<dir>, the screens are written there (as in the other e2e tests)
const SHOTS = process.env.SCREENSHOTS ?? '';

describe('compose row', () => {
  let app: Appliance;
  let browser: Browser;
  let bob: SignedIn;
  let thread = '';
  const contexts: BrowserContext[] = [];

  async function signIn(account: SignedIn, viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ baseURL: app.url, viewport });
    contexts.push(context);
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return page;
  }

  /** share measures the text box's width as a part of the compose row's */
  const share = (page: Page) =>
    page.getByRole('textbox', { name: /^Message / }).evaluate((el) => el.getBoundingClientRect().width / el.closest('form')!.getBoundingClientRect().width);

  /** bothThemes checks axe in the dark and the light theme, with a screenshot of each */
  async function bothThemes(page: Page, name: string) {
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `compose-${name}-${colorScheme}.png`) });
      expect(await axeViolations(page)).toEqual([]);
    }
  }

  const focused = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).evaluate((el) => el === document.activeElement);

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    const main = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
    bob = await createUser(app, { name: 'Bob Baker', extension: '201' });
    await app.superuser.collection('users').update(bob.record.id, { sms_numbers: [main.id], default_number: main.id });
    await bob.pb.collection('templates').create({ name: 'Running late', body: 'Sorry, we run 10 minutes late', owner: bob.record.id });
    // files go to phones as links: without a public URL an SMS thread refuses them
    const settings = await app.superuser.collection('settings').getFirstListItem('');
    await app.superuser.collection('settings').update(settings.id, { public_url: 'https://texts.example.com' });
    thread = (await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } })).id;
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.stop();
  });

  let phone: Page;

  it('at 390 px the text box keeps at least 60 % of the row; the three tools are one "More" menu', async () => {
    phone = await signIn(bob, { width: 390, height: 844 });
    await phone.goto(`/messages/${thread}`);
    const composer = phone.getByRole('textbox', { name: /^Message / });
    await composer.waitFor();
    expect(await share(phone)).toBeGreaterThanOrEqual(0.6);
    // the placeholder fits on one line
    expect(await composer.evaluate((el: HTMLTextAreaElement) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    for (const name of ['Attach files', 'Templates', 'Schedule for later']) expect(await phone.getByRole('button', { name }).count()).toBe(0);
    await bothThemes(phone, 'phone');

    // by keyboard: Enter on "More" opens the menu on its first item
    const more = phone.getByRole('button', { name: 'More', exact: true });
    await more.focus();
    await phone.keyboard.press('Enter');
    const menu = phone.getByRole('menu');
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([expect.stringContaining('Attach files'), expect.stringContaining('Templates'), expect.stringContaining('Schedule for later')]);
    await bothThemes(phone, 'phone-menu');
    await phone.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await focused(phone, 'More')).toBe(true);
  });

  it('Templates from the menu opens the picker, and its text lands in the box', async () => {
    await phone.getByRole('button', { name: 'More', exact: true }).click();
    await phone.getByRole('menuitem', { name: 'Templates' }).click();
    const dialog = phone.getByRole('dialog', { name: 'Insert a template' });
    const filter = dialog.getByRole('combobox', { name: 'Filter templates' });
    await expect.poll(() => filter.evaluate((el) => el === document.activeElement)).toBe(true);
    await dialog.getByRole('option', { name: /Running late/ }).click();
    await phone.getByRole('dialog', { name: 'Template: Running late' }).getByRole('button', { name: 'Insert' }).click();
    await expect.poll(() => phone.getByRole('textbox', { name: /^Message / }).inputValue()).toBe('Sorry, we run 10 minutes late');
  });

  it('"Schedule for later" from the menu, by keyboard, opens the send-later panel and schedules the text', async () => {
    const more = phone.getByRole('button', { name: 'More', exact: true });
    await more.focus();
    await phone.keyboard.press('Enter');
    await phone.getByRole('menu').waitFor();
    await phone.keyboard.press('ArrowUp'); // wraps to the last item
    await expect.poll(() => phone.getByRole('menuitem', { name: 'Schedule for later' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await phone.keyboard.press('Enter');
    const panel = phone.getByRole('group', { name: 'Send later' });
    await panel.getByText('Times are in UTC').waitFor();
    // the focus is in the panel, not taken back by the closing menu
    await expect.poll(() => panel.getByLabel('Date').evaluate((el) => el === document.activeElement)).toBe(true);
    const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    await panel.getByLabel('Date').fill(tomorrow);
    await panel.getByLabel('Time').fill('09:30');
    await panel.getByText(/^Goes .*09:30\.$/).waitFor();
    await bothThemes(phone, 'phone-later');
    await panel.getByRole('button', { name: 'Schedule' }).click();
    await panel.waitFor({ state: 'hidden' });
    await phone.getByRole('region', { name: 'Scheduled texts' }).getByText('Sorry, we run 10 minutes late').waitFor();
    expect(await phone.getByRole('textbox', { name: /^Message / }).inputValue()).toBe('');
    // the hidden "Later" toggle cannot take the focus back: the menu's button does
    expect(await focused(phone, 'More')).toBe(true);
    const [row] = await app.superuser.collection('scheduled_messages').getFullList({ filter: `conversation = "${thread}"` });
    expect(row).toMatchObject({ state: 'scheduled', body: 'Sorry, we run 10 minutes late' });
  });

  it('"Attach files" from the menu opens the file chooser and the file waits to be sent', async () => {
    await phone.getByRole('button', { name: 'More', exact: true }).click();
    const [chooser] = await Promise.all([phone.waitForEvent('filechooser'), phone.getByRole('menuitem', { name: 'Attach files' }).click()]);
    await chooser.setFiles([{ name: 'delivery-note.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% a delivery note\n') }]);
    await phone.getByRole('list', { name: 'Files to send' }).getByText('delivery-note.pdf').waitFor();
    expect(await share(phone)).toBeGreaterThanOrEqual(0.6);
    await bothThemes(phone, 'phone-file');
  });

  it('on a desktop the row keeps its three buttons and has no menu', async () => {
    const desk = await signIn(bob, { width: 1280, height: 800 });
    await desk.goto(`/messages/${thread}`);
    await desk.getByRole('textbox', { name: /^Message / }).waitFor();
    for (const name of ['Attach files', 'Templates', 'Schedule for later']) await desk.getByRole('button', { name, exact: true }).waitFor();
    expect(await desk.getByRole('button', { name: 'More', exact: true }).count()).toBe(0);
    await bothThemes(desk, 'desktop');
  });
});
