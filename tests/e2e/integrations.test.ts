// Integrations end to end, in Chromium against the real appliance: an admin
// makes an integration, copies its key with the Copy button, the README's
// curl sends a text with it, and a colleague sees the text in the SMS thread
// marked as the integration's; the page shows the key's last use, and the
// admin revokes it.
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { readmeCurl } from '../helpers/readme';
import { axeViolations } from '../helpers/axe';

// with SCREENSHOTS=<dir>, the screens are written there (as in the other e2e tests)
const SHOTS = process.env.SCREENSHOTS ?? '';

describe('admin: integrations', () => {
  let app: Appliance;
  let browser: Browser;
  let admin: SignedIn, bob: SignedIn;
  const contexts: BrowserContext[] = [];
  let key = '';

  async function signIn(account: SignedIn): Promise<Page> {
    const context = await browser.newContext({ baseURL: app.url });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
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
    await app.superuser.collection('users').update(bob.record.id, { sms_numbers: [main.id], default_number: main.id });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.stop();
  });

  let adminPage: Page;

  it('an admin makes an integration and copies its key, shown once', async () => {
    adminPage = await signIn(admin);
    const page = adminPage;
    await page.goto('/admin/integrations');
    await page.getByText('No integrations yet.').waitFor();
    await page.getByRole('button', { name: 'Make integration' }).click();
    const dialog = page.getByRole('dialog', { name: 'Make integration' });
    // the server's sentence for a key that may send from no number
    await dialog.getByLabel('Name').fill('Shop');
    await dialog.getByRole('button', { name: 'Make integration' }).click();
    await dialog.getByText('Choose at least one business number this key may text from.').waitFor();
    await dialog.getByLabel('(201) 555-0100 (Main)').check();
    await dialog.getByRole('button', { name: 'Make integration' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const made = page.getByRole('region', { name: 'Key for Shop' });
    await made.getByText('Copy the key now: it is not shown again.').waitFor();
    await made.getByRole('button', { name: 'Copy key' }).click();
    await made.getByText('Key copied.').waitFor();
    key = await page.evaluate(() => navigator.clipboard.readText());
    expect(key).toMatch(/^smsk_[A-Za-z0-9]{43}$/);
    expect(await made.getByLabel('API key').inputValue()).toBe(key);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'integrations-made.png'), fullPage: true });
    await made.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /^Shop/ });
    await row.getByText('Never').waitFor();
    await row.getByText(key.slice(0, 11) + '…').waitFor();
    // gone for good: the page has no way to show it again
    await page.reload();
    await page.getByRole('row', { name: /^Shop/ }).waitFor();
    expect(await page.content()).not.toContain(key);
  });

  it("the README's curl sends with the copied key, and a colleague sees the text in the thread as the integration's", async () => {
    const r = spawnSync('sh', ['-c', readmeCurl()], { encoding: 'utf8', env: { ...process.env, APPLIANCE: app.url, API_KEY: key } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ to: '+12015550123', status: 'queued' });

    const page = await signIn(bob);
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: /^SMS \(201\) 555-0123/ }).click();
    const messages = page.getByRole('list', { name: /^Messages with / });
    const bubble = messages.getByRole('listitem').filter({ hasText: 'Your order 1042 is ready to collect.' }).first();
    await bubble.waitFor();
    expect(await bubble.locator('.author').textContent()).toBe('Shop (integration)');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'integrations-thread.png'), fullPage: true });
  });

  it('the admin edits the IP allowlist; the server says what it cannot read', async () => {
    const page = adminPage;
    const row = page.getByRole('row', { name: /^Shop/ });
    await row.getByRole('button', { name: 'Edit Shop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Shop' });
    await dialog.getByLabel('Allowed addresses (optional)').fill('office');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('"office" is not an IP address or a CIDR range (such as 203.0.113.0/24).').waitFor();
    await dialog.getByLabel('Allowed addresses (optional)').fill('127.0.0.0/8');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText('from 127.0.0.0/8').waitFor();
    expect((await app.superuser.collection('integrations').getFirstListItem('name = "Shop"')).ip_allowlist).toBe('127.0.0.0/8');
  });

  it('the webhook log shows a failed call with its answer, and Resend queues it again', async () => {
    const [shop] = await app.superuser.collection('integrations').getFullList({ filter: 'name = "Shop"' });
    // the bridge's worker is played by the superuser writing the outcome
    await app.superuser.collection('webhook_calls').create({
      integration: shop.id, event: 'sms.inbound', url: 'https://shop.example/hooks/in', payload: { text: 'hi' },
      status: 'failed', attempts: 10, last_status_code: 503, last_error: 'HTTP 503: maintenance',
    });
    const page = adminPage;
    const row = page.getByRole('row', { name: /sms\.inbound/ });
    await row.getByText('503 HTTP 503: maintenance').waitFor();
    await row.getByText('failed', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Resend' }).click();
    await page.getByText('The sms.inbound call to Shop is queued again.').waitFor();
    await row.getByText('pending', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: 'Resend' }).count()).toBe(0);
  });

  it('an admin sets a keyword reply, and a customer texting the word gets it', async () => {
    const page = adminPage;
    await page.goto('/admin/keywords');
    await page.getByText('No keyword replies yet.').waitFor();
    await page.getByLabel('Keyword').fill('stop');
    await page.getByLabel('Reply').fill('Bye');
    await page.getByRole('button', { name: 'Add keyword' }).click();
    await page.getByText(/^STOP is kept for opt-outs and help/).waitFor();
    await page.getByLabel('Keyword').fill('hours');
    await page.getByLabel('Reply').fill('Open 9-5, Monday to Saturday.');
    await page.getByRole('button', { name: 'Add keyword' }).click();
    await page.getByRole('row', { name: /HOURS/ }).getByText('Open 9-5, Monday to Saturday.').waitFor();
    const bridge = await createService(app, 'bridge');
    const { conversation } = await bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: 'e2e-hours', from: '+12015550123', to: '+12015550100', body: 'Hours!' } });
    const lines = await app.superuser.collection('messages').getFullList({ filter: `conversation = "${conversation}"`, sort: 'created' });
    expect(lines.map((m) => m.body).slice(-2)).toEqual(['Hours!', 'Sent the automatic reply to HOURS']);
  });

  it("an admin answers a keyword with a webhook signed by an integration's secret, and edits its fallback", async () => {
    const page = adminPage;
    // Shop may not receive webhooks: only an integration that may is offered
    await admin.pb.send('/api/integrations', { method: 'POST', body: { name: 'Booking', scope_webhooks: true } });
    await page.getByLabel('Keyword').fill('order');
    await page.getByLabel('Webhook URL (optional)').fill('https://booking.example/hooks/order');
    const signer = page.getByLabel('Signed with the secret of');
    await signer.getByRole('option', { name: 'Booking' }).waitFor({ state: 'attached' });
    expect(await signer.getByRole('option').allTextContents()).toEqual(['Choose an integration', 'Booking']);
    // the server's sentence when none is chosen
    await signer.selectOption('');
    await page.getByRole('button', { name: 'Add keyword' }).click();
    await page.getByText('Choose the integration whose secret signs the webhook calls.').waitFor();
    await signer.selectOption({ label: 'Booking' });
    await page.getByRole('button', { name: 'Add keyword' }).click();
    const row = page.getByRole('row', { name: /ORDER/ });
    await row.getByText('https://booking.example/hooks/order').waitFor();
    await row.getByText("signed with Booking's secret").waitFor();
    await row.getByText("None: the webhook's answer only").waitFor();

    await row.getByRole('button', { name: 'Edit ORDER' }).click();
    expect(await page.getByLabel('Webhook URL (optional)').inputValue()).toBe('https://booking.example/hooks/order');
    await page.getByLabel('Fixed reply, if the webhook fails (optional)').fill('Text your order number and we will look it up.');
    await page.getByRole('button', { name: 'Save ORDER' }).click();
    await row.getByText('Text your order number and we will look it up.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'keywords.png'), fullPage: true });
    const [saved] = await app.superuser.collection('keyword_replies').getFullList({ filter: 'keyword = "ORDER"' });
    expect(saved).toMatchObject({ webhook_url: 'https://booking.example/hooks/order', reply: 'Text your order number and we will look it up.' });

    // a customer's ORDER is queued as a signed call for the bridge's worker, not answered at once
    const bridge = await createService(app, 'bridge2');
    await bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: 'e2e-order', from: '+12015550124', to: '+12015550100', body: 'order' } });
    const [call] = await app.superuser.collection('webhook_calls').getFullList({ filter: 'event = "sms.keyword"' });
    expect(call).toMatchObject({ url: 'https://booking.example/hooks/order', status: 'pending', keyword_reply: saved.id });
    expect(call.payload).toMatchObject({ keyword: 'ORDER', from: '+12015550124', text: 'order' });

    // the webhook log says what the call texted back (the worker and its reply route are played by the superuser)
    await app.superuser.collection('webhook_calls').update(call.id, {
      status: 'failed', attempts: 2, last_status_code: 503, last_error: 'HTTP 503: down',
      reply_outcome: 'fallback', reply_note: 'The call failed: HTTP 503: down Sent the fixed reply instead.',
    });
    await page.goto('/admin/integrations');
    const logged = page.getByRole('row', { name: /sms\.keyword/ });
    await logged.getByText('Texted the fixed reply back. The call failed: HTTP 503: down Sent the fixed reply instead.').waitFor();
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'integrations-keyword-call.png'), fullPage: true });

    // a revoked signer: the page says the webhook is not called
    const [booking] = await app.superuser.collection('integrations').getFullList({ filter: 'name = "Booking"' });
    await admin.pb.send(`/api/integrations/${booking.id}/revoke`, { method: 'POST' });
    await page.goto('/admin/keywords');
    await page
      .getByRole('row', { name: /ORDER/ })
      .getByText('Not called: Booking is revoked or may not receive webhooks, so the fixed reply goes instead.')
      .waitFor();
  });

  it('the admin sees the last use and revokes the key', async () => {
    await adminPage.goto('/admin/integrations');
    const page = adminPage;
    await page.reload();
    const row = page.getByRole('row', { name: /^Shop/ });
    await row.getByText(/from 127\.0\.0\.1/).waitFor();
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke Shop' }).click();
    await page.getByText("Shop's key is revoked.").waitFor();
    await row.getByText(/^Revoked /).waitFor();
    const r = spawnSync('sh', ['-c', readmeCurl()], { encoding: 'utf8', env: { ...process.env, APPLIANCE: app.url, API_KEY: key } });
    expect(JSON.parse(r.stdout).message).toMatch(/^This API key \(Shop\) was revoked on /);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'integrations-revoked.png'), fullPage: true });
  });
});
