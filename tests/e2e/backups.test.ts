// Backups end to end, in a real browser against the real appliance: an
// administrator backs up on Admin → Backups, changes the schedule under
// Settings, restores the backup (after a confirmation) and finds a message
// written after the backup gone, the data from before saved as a backup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

describe('backups', () => {
  let app: Appliance;
  let browser: Browser;
  let admin: SignedIn, member: SignedIn;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    [admin, member] = await Promise.all([
      createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' }),
      createUser(app, { name: 'Max Member', extension: '201' })
    ]);
    const context = await browser.newContext({ baseURL: app.url });
    page = await context.newPage();
    await logInAs(page, '100', admin.password);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('backs up, changes the schedule, and restores after a confirmation', async () => {
    const chat = await admin.pb.send<{ id: string }>('/api/conversations/direct', { method: 'POST', body: { user: member.record.id } });
    await admin.pb.collection('messages').create({ conversation: chat.id, body: 'Before the backup' });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Backups' }).click();
    await page.getByText('Every day at 03:00, keeping the newest 7.').waitFor();
    await page.getByRole('button', { name: 'Back up now' }).click();
    const made = (await page.getByRole('status').filter({ hasText: /Backup backup_\d+_\d+\.zip made/ }).textContent())!;
    const key = made.match(/backup_\d+_\d+\.zip/)![0];
    await page.getByRole('rowheader', { name: key }).waitFor();

    await page.getByRole('link', { name: 'Change the schedule' }).click();
    await page.getByLabel('When').selectOption({ label: 'Every day at 01:00' });
    await page.getByLabel('Keep the newest').fill('14');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Saved: Every day at 01:00, keeping the newest 14.').waitFor();

    const later = await admin.pb.collection('messages').create({ conversation: chat.id, body: 'After the backup' });
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Backups' }).click();
    await page.getByRole('button', { name: `Restore ${key}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore this backup?' });
    await dialog.getByText('The current data is saved as a backup first').waitFor();
    await dialog.getByRole('button', { name: 'Restore' }).click();
    // the page reloads once the appliance is back on the restored data
    await page.getByRole('cell', { name: 'Saved before a restore' }).waitFor({ timeout: 30_000 });
    expect(await app.superuser.collection('messages').getOne(later.id).then(() => 'still there', () => 'gone')).toBe('gone');
  });
});
