// Attachments in the browser: Alice pastes a screenshot into a chat, sees
// its preview, removes a second file again, sends with a caption and watches
// the upload progress; Bob sees the thumbnail arrive live, opens it full size
// and closes it with Escape; the header lists the conversation's files.
// The media worker runs here as it runs in the bridge (docs/attachments.md).
import { join } from 'node:path';
import sharp from 'sharp';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { createService, createUser, launchBrowser, logInAs, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { MediaWorker } from '../../smsc-bridge/src/media/worker';
import { NO_PUBLIC_URL } from '../../src/lib/domain/attachments';

// with SCREENSHOTS=<dir>, the screens are written there (as in the other e2e tests)
const SHOTS = process.env.SCREENSHOTS ?? '';

interface Person {
  account: SignedIn;
  context: BrowserContext;
  page: Page;
}

describe('attachments', () => {
  let app: Appliance;
  let browser: Browser;
  let worker: MediaWorker;
  let alice: Person, bob: Person;
  let chat: string;

  async function signIn(account: SignedIn): Promise<Person> {
    const context = await browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    await logInAs(page, String(account.record.extension), account.password);
    return { account, context, page };
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startAppliance(), launchBrowser()]);
    const [a, b] = await Promise.all([createUser(app, { name: 'Alice', extension: '201' }), createUser(app, { name: 'Bob', extension: '202' })]);
    const service = await createService(app, 'bridge');
    worker = new MediaWorker({ url: app.url, email: 'bridge@services.local', password: service.password, log: pino({ level: 'silent' }) });
    await worker.start();
    chat = (await a.pb.send('/api/conversations/direct', { method: 'POST', body: { user: b.record.id } })).id;
    [alice, bob] = await Promise.all([signIn(a), signIn(b)]);
    await Promise.all([alice.page.goto(`/messages/${chat}`), bob.page.goto(`/messages/${chat}`)]);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
  });

  const composer = (p: Person) => p.page.getByRole('textbox', { name: /^Message / });
  const messages = (p: Person) => p.page.getByRole('list', { name: /^Messages with / });

  /** paste puts files on the clipboard of the compose box, as a screenshot paste does. */
  async function paste(p: Person, files: { name: string; type: string; base64: string }[]) {
    await composer(p).evaluate((el, list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, files);
  }

  it('pastes a screenshot, shows its preview and the upload progress, and the other person sees the thumbnail live and opens it', async () => {
    const png = await sharp({ create: { width: 320, height: 200, channels: 4, background: { r: 30, g: 120, b: 200, alpha: 1 } } }).png().toBuffer();
    await paste(alice, [
      { name: 'image.png', type: 'image/png', base64: png.toString('base64') },
      { name: 'notes.txt', type: 'text/plain', base64: Buffer.from('not this one').toString('base64') },
    ]);
    const chosen = alice.page.getByRole('list', { name: 'Files to send' });
    await expect.poll(() => chosen.getByRole('listitem').count()).toBe(2);
    // the picture has a preview the browser can show
    expect(await chosen.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    await chosen.getByRole('button', { name: 'Remove notes.txt' }).click();
    await expect.poll(() => chosen.getByRole('listitem').count()).toBe(1);

    // hold the upload so its progress can be seen
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    await alice.page.route('**/api/collections/uploads/records', async (route: Route) => {
      await held;
      await route.continue();
    });
    await composer(alice).fill('The screen I get');
    await composer(alice).press('Enter');
    const progress = messages(alice).getByRole('progressbar', { name: 'Uploading image.png' });
    await progress.waitFor();
    expect(await chosen.count()).toBe(0);
    release();
    await progress.waitFor({ state: 'detached' });
    await alice.page.unroute('**/api/collections/uploads/records');

    // Bob: the caption and the thumbnail, live, in a box of the picture's shape
    await messages(bob).getByText('The screen I get').waitFor();
    const thumb = messages(bob).getByRole('button', { name: /Open image\.png/ });
    await thumb.waitFor();
    await expect.poll(() => thumb.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const box = await thumb.boundingBox();
    expect([Math.round(box!.width), Math.round(box!.height)]).toEqual([240, 150]);

    await thumb.click();
    const lightbox = bob.page.getByRole('dialog', { name: 'image.png' });
    await lightbox.waitFor();
    const full = lightbox.getByRole('img', { name: 'image.png' });
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    await bob.page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'hidden' });
    // focus goes back to the thumbnail it was opened from
    expect(await thumb.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('attaches with the button: a refused file gets a sentence, a PDF shows name, type, size and a download', async () => {
    const choose = async (files: { name: string; mimeType: string; buffer: Buffer }[]) => {
      const [chooser] = await Promise.all([alice.page.waitForEvent('filechooser'), alice.page.getByRole('button', { name: 'Attach files' }).click()]);
      await chooser.setFiles(files);
    };
    await choose([{ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') }]);
    await alice.page.getByText('“setup.exe” is a kind of file (application/octet-stream) that cannot be sent here').waitFor();
    await choose([{ name: 'delivery-note.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% a delivery note\n') }]);
    await alice.page.getByRole('list', { name: 'Files to send' }).getByText('delivery-note.pdf').waitFor();
    if (SHOTS) await alice.page.screenshot({ path: join(SHOTS, 'attach-compose.png') });
    // no caption needed
    await composer(alice).press('Enter');
    const link = messages(bob).getByRole('link', { name: 'delivery-note.pdf' });
    await link.waitFor();
    expect(await messages(bob).getByText(/application\/pdf · \d+ B/).count()).toBe(1);
    const href = await link.getAttribute('href');
    expect(href).toMatch(/\/api\/files\/attachments\/\w+\/delivery_note_\w+\.pdf\?token=.+&download=1$/);
  });

  it('takes files dropped on the conversation; with phones and no public URL it says what to set', async () => {
    await alice.page.goto(`/messages/${chat}`);
    await messages(alice).waitFor();
    await messages(alice).evaluate((el) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['hello'], 'dropped.txt', { type: 'text/plain' }));
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const chosen = alice.page.getByRole('list', { name: 'Files to send' });
    await chosen.getByText('dropped.txt').waitFor();
    await chosen.getByRole('button', { name: 'Remove dropped.txt' }).click();
    await chosen.waitFor({ state: 'detached' });

    const su = app.superuser;
    const number = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
    await su.collection('users').update(alice.account.record.id, { sms_numbers: [number.id], default_number: number.id });
    const thread = await alice.account.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
    await alice.page.goto(`/messages/${thread.id}`);
    // an empty thread's list has no height: wait for its composer
    await alice.page.getByRole('textbox', { name: /^Message / }).waitFor();
    await paste(alice, [{ name: 'image.png', type: 'image/png', base64: (await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).png().toBuffer()).toString('base64') }]);
    await alice.page.getByText(NO_PUBLIC_URL).waitFor();
    expect(await alice.page.getByRole('list', { name: 'Files to send' }).count()).toBe(0);
    await alice.page.goto(`/messages/${chat}`);
    await messages(alice).waitFor();
  });

  it('lists the conversation’s files from its header', async () => {
    await bob.page.getByRole('button', { name: 'Files', exact: true }).click();
    const dialog = bob.page.getByRole('dialog', { name: /^Files in / });
    const list = dialog.getByRole('list', { name: 'Files in this conversation' });
    await list.getByRole('link', { name: 'image.png' }).waitFor();
    expect(await list.getByText(/image\/png · \d+ (B|KB)/).count()).toBe(1);
    await list.getByRole('link', { name: 'delivery-note.pdf' }).waitFor();
    if (SHOTS) await bob.page.screenshot({ path: join(SHOTS, 'attach-files.png') });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    if (SHOTS) await alice.page.screenshot({ path: join(SHOTS, 'attach-alice.png') });
  });
});
