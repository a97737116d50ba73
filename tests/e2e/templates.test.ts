// Templates end to end, in Chromium against the real appliance: an admin
// makes a shared template with {first_name} (a typo refused with the hook's
// sentence first); a member opens an SMS thread with a phonebook contact,
// picks the template from the compose box's Templates button by keyboard,
// sees the preview with the contact's first name, inserts it, sends it, and
// the thread and the queued SMS carry the rendered text. A personal template
// is kept from the page of "Manage my templates" and works without a
// contact through its fallback. docs/templates.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { axeViolations } from '../helpers/axe';

describe('templates', () => {
  let app: Appliance;
  let browser: Browser;
  let admin: SignedIn, bob: SignedIn;
  const contexts: BrowserContext[] = [];
  let dana = '';
  let stranger = '';

  async function signIn(account: SignedIn): Promise<Page> {
    const context = await browser.newContext({ baseURL: app.url });
    contexts.push(context);
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/templates-${name}.png`, fullPage: true });

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    const main = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
    admin = await createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' });
    bob = await createUser(app, { name: 'Bob Baker', extension: '201' });
    await app.superuser.collection('users').update(bob.record.id, { sms_numbers: [main.id], default_number: main.id });
    await admin.pb.collection('contacts').create({ name: 'Dana Scully', company: 'Acme Plumbing', numbers: [{ number: '+12015550150', label: 'mobile' }] });
    dana = (await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550150' } })).id;
    stranger = (await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550177' } })).id;
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.stop();
  });

  it('an admin makes a shared template; an unknown merge field is refused with a sentence', async () => {
    const page = await signIn(admin);
    await page.goto('/admin/templates');
    await page.getByText('No shared templates yet.').waitFor();
    await page.getByLabel('Name').fill('Order ready');
    await page.getByLabel('Text').fill('Hi {frist_name}, your order is ready.');
    await page.getByRole('button', { name: 'Add template' }).click();
    await page.getByText('{frist_name} is not a merge field.', { exact: false }).waitFor();
    await page.getByLabel('Text').fill('Hi {first_name|there}, your order from {company} is ready. {my_name}');
    // the form fills it in for a sample contact as it is typed
    await page.getByText('Hi Dana, your order from Acme Plumbing is ready. Ada Admin').waitFor();
    await page.getByRole('button', { name: 'Add template' }).click();
    await page.getByText('Added “Order ready”.').waitFor();
    await page.getByRole('row', { name: /^Order ready/ }).waitFor();
    await shot(page, 'admin');
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page)).toEqual([]);
    }
  });

  let page: Page;

  it('a member picks it in a thread with a phonebook contact, previews it with her first name, inserts and sends it', async () => {
    page = await signIn(bob);
    await page.goto(`/messages/${dana}`);
    const composer = page.getByRole('textbox', { name: /^Message / });
    await composer.waitFor();
    await page.getByRole('button', { name: 'Templates' }).click();
    const dialog = page.getByRole('dialog', { name: 'Insert a template' });
    // keyboard: the filter has focus; type, then Enter picks the highlighted one
    const filter = dialog.getByRole('combobox', { name: 'Filter templates' });
    await expect.poll(() => filter.evaluate((el) => el === document.activeElement)).toBe(true);
    await dialog.getByRole('option', { name: /Order ready/ }).waitFor();
    await shot(page, 'picker');
    expect(await axeViolations(page)).toEqual([]);
    await filter.pressSequentially('order');
    await filter.press('Enter');
    const preview = page.getByRole('dialog', { name: 'Template: Order ready' });
    await preview.getByText('For Dana Scully (shared phonebook).').waitFor();
    const rendered = 'Hi Dana, your order from Acme Plumbing is ready. Bob Baker';
    await preview.getByText(rendered, { exact: true }).waitFor();
    await preview.getByText('1 SMS · GSM-7 ·', { exact: false }).waitFor();
    await shot(page, 'preview');
    expect(await axeViolations(page)).toEqual([]);
    // still by keyboard: the focus is on Insert
    const insert = preview.getByRole('button', { name: 'Insert' });
    await expect.poll(() => insert.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await preview.waitFor({ state: 'hidden' });
    await expect.poll(() => composer.inputValue()).toBe(rendered);
    await expect.poll(() => composer.evaluate((el) => el === document.activeElement)).toBe(true);
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe('');
    await page.getByText(rendered, { exact: true }).first().waitFor();
    // the thread shows the text at once; the server's copy is what went out
    const texts = () => app.superuser.collection('messages').getFullList({ filter: `conversation = "${dana}" && kind = "text"` });
    await expect.poll(async () => (await texts()).map((m) => m.body)).toEqual([rendered]);
    const [message] = await texts();
    const deliveries = await app.superuser.collection('deliveries').getFullList({ filter: `message = "${message.id}"` });
    expect(deliveries.map((d) => [d.to, d.body])).toEqual([['+12015550150', rendered]]);
  });

  it('keeps a personal template from "Manage my templates", and without a contact uses its fallback and says so', async () => {
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByRole('dialog', { name: 'Insert a template' }).getByRole('link', { name: 'Manage my templates' }).click();
    await page.waitForURL('**/templates');
    await page.getByText('You have no templates of your own yet.').waitFor();
    await page.getByLabel('Name').fill('Running late');
    await page.getByLabel('Text').fill('Sorry {first_name|there}, {company} runs 10 minutes late 🙏');
    await page.getByRole('button', { name: 'Add template' }).click();
    await page.getByRole('row', { name: /^Running late/ }).waitFor();
    await shot(page, 'mine');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`/messages/${stranger}`);
    const composer = page.getByRole('textbox', { name: /^Message / });
    await composer.fill('Note: ');
    await page.getByRole('button', { name: 'Templates' }).click();
    const dialog = page.getByRole('dialog', { name: 'Insert a template' });
    // the filter narrows the list to the personal one
    await dialog.getByRole('combobox', { name: 'Filter templates' }).fill('late');
    await expect.poll(() => dialog.getByRole('option').allTextContents()).toEqual([expect.stringContaining('Running late')]);
    await dialog.getByRole('option', { name: /Running late/ }).click();
    const preview = page.getByRole('dialog', { name: 'Template: Running late' });
    await preview.getByText('No phonebook contact has this number.').waitFor();
    await preview.getByText('Sorry there, runs 10 minutes late 🙏', { exact: true }).waitFor();
    await preview.getByText('No value for {first_name}: its fallback is used.').waitFor();
    await preview.getByText('No value for {company}: left out.').waitFor();
    await preview.getByText('1 SMS · UCS-2 because of 🙏', { exact: false }).waitFor();
    await preview.getByRole('button', { name: 'Insert' }).click();
    await expect.poll(() => composer.inputValue()).toBe('Note: Sorry there, runs 10 minutes late 🙏');
  });

  it('changes and removes a personal template', async () => {
    await page.goto('/templates');
    await page.getByRole('row', { name: /^Running late/ }).getByRole('button', { name: 'Edit Running late' }).click();
    await page.getByRole('heading', { name: 'Change “Running late”' }).waitFor();
    await page.getByLabel('Name').fill('Late');
    await page.getByLabel('Text').fill('Hi {first_name|there}, 10 minutes late.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved “Late”.').waitFor();
    await page.getByRole('row', { name: /^Late Hi \{first_name\|there\}, 10 minutes late\./ }).waitFor();
    await page.getByRole('button', { name: 'Remove Late' }).click();
    await page.getByText('You have no templates of your own yet.').waitFor();
    expect(await bob.pb.collection('templates').getFullList({ filter: 'owner != ""' })).toEqual([]);
  });
});
