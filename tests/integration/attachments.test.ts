// Attachments end to end in PocketBase with the real media worker: uploads
// only the worker reads, the admin's limits, idempotent retries, files
// readable by exactly the conversation's members (REST and file URL), safe
// serving, the public SMS link and the purge (docs/attachments.md).
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import pino from 'pino';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { events } from '../helpers/events';
import { MediaWorker } from '../../smsc-bridge/src/media/worker';
import { NO_PUBLIC_URL } from '../../src/lib/domain/attachments';

let app: Appliance;
let alice: SignedIn, bob: SignedIn, carol: SignedIn, admin: SignedIn, service: SignedIn;
let chat: RecordModel, sms: RecordModel;
let worker: MediaWorker;
let settingsId: string;
let photo: Buffer;

const LATITUDE_SECONDS = Buffer.from([0xd2, 0x04, 0, 0, 0x64, 0, 0, 0]);

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  const link = await su.collection('smsc_links').create({ name: 'Carrier', host: '127.0.0.1', port: 2775, system_id: 'esme', bind: 'trx', enabled: false });
  const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
  alice = await createUser(app, { name: 'Alice', extension: '201' });
  bob = await createUser(app, { name: 'Bob', extension: '202' });
  carol = await createUser(app, { name: 'Carol', extension: '203' });
  admin = await createUser(app, { name: 'Ada', extension: '209', role: 'admin' });
  await su.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
  service = await createService(app, 'bridge');
  worker = new MediaWorker({ url: app.url, email: 'bridge@services.local', password: service.password, log: pino({ level: 'silent' }) });
  await worker.start();
  chat = await alice.pb.send('/api/conversations/direct', { method: 'POST', body: { user: bob.record.id } });
  sms = await alice.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
  settingsId = (await admin.pb.collection('settings').getFirstListItem('')).id;
  // a phone photo: sideways, with the camera and the place in its EXIF
  photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCo' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1234/100' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
});
afterAll(async () => {
  await worker?.stop();
  await app?.stop();
});

async function failure(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

let keys = 0;
const newKey = () => `key-${Date.now()}-${keys++}`;

function upload(as: SignedIn, conversation: string, clientKey: string, file: { name: string; data: Buffer | string; type?: string }, position = 0) {
  const form = new FormData();
  form.append('conversation', conversation);
  form.append('client_key', clientKey);
  form.append('position', String(position));
  form.append('file', new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name);
  return as.pb.collection('uploads').create(form);
}

/** send uploads the files and posts the message, then resolves with it once every file is processed (as the other member's inbox tells it). */
async function send(as: SignedIn, watcher: SignedIn, conversation: string, body: string, files: { name: string; data: Buffer | string }[]) {
  const inbox = await events(watcher.pb, 'inbox');
  const key = newKey();
  for (const [i, f] of files.entries()) await upload(as, conversation, key, f, i);
  const m = await as.pb.collection('messages').create({ conversation, body, client_key: key, with_files: true });
  const done = await inbox.next((e) => e.type === 'message' && e.message.id === m.id && e.message.files.every((f: any) => f.status !== 'processing'));
  await inbox.off();
  return { posted: m, message: done.message, key };
}

const fileUrl = (a: RecordModel, name: string, token = '') => `${app.url}/api/files/attachments/${a.id}/${name}${token ? `?token=${token}` : ''}`;

describe('sending a photo in team chat', () => {
  it('keeps the original from everyone but the worker, and shows a cleaned copy to the members only', async () => {
    const key = newKey();
    const up = await upload(alice, chat.id, key, { name: 'IMG_0001.jpg', data: photo, type: 'image/jpeg' });
    expect(up).toMatchObject({ uploader: alice.record.id, name: 'IMG_0001.jpg', type: 'image/jpeg', size: photo.length });
    // the original (with its GPS position) is read by the worker alone
    for (const who of [alice, bob, carol, admin]) {
      expect(await who.pb.collection('uploads').getFullList()).toHaveLength(0);
      expect((await failure(who.pb.collection('uploads').getOne(up.id))).status).toBe(404);
    }
    const token = await alice.pb.files.getToken();
    expect((await fetch(`${app.url}/api/files/uploads/${up.id}/${up.file}?token=${token}`)).status).toBe(404);

    const inbox = await events(bob.pb, 'inbox');
    const m = await alice.pb.collection('messages').create({ conversation: chat.id, body: 'The damaged part', client_key: key, with_files: true });
    expect(m.files).toEqual([expect.objectContaining({ name: 'IMG_0001.jpg', status: 'processing', file: '' })]);
    const ready = await inbox.next((e) => e.type === 'message' && e.message.id === m.id && e.message.files[0].status === 'ready');
    await inbox.off();
    const summary = ready.message.files[0];
    // turned upright: 200 × 300
    expect(summary).toMatchObject({ name: 'IMG_0001.jpg', type: 'image/jpeg', width: 200, height: 300 });

    const a = await bob.pb.collection('attachments').getOne(summary.id);
    expect(a).toMatchObject({ message: m.id, conversation: chat.id, status: 'ready', file: summary.file, thumb: summary.thumb });
    const res = await fetch(fileUrl(a, a.file, await bob.pb.files.getToken()));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const served = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(served).metadata();
    expect([meta.width, meta.height, meta.exif, meta.orientation]).toEqual([200, 300, undefined, undefined]);
    expect(served.includes(LATITUDE_SECONDS)).toBe(false);
    const thumb = await fetch(fileUrl(a, a.thumb, await bob.pb.files.getToken()));
    expect(thumb.headers.get('content-type')).toBe('image/webp');

    // the worker deleted the original
    expect(await app.superuser.collection('uploads').getFullList({ filter: `id = "${up.id}"` })).toHaveLength(0);
  });

  it('lets nobody outside the conversation read an attachment, by REST or by file URL', async () => {
    const { message } = await send(alice, bob, chat.id, '', [{ name: 'delivery-note.pdf', data: '%PDF-1.4\n% a delivery note\n' }]);
    const a = await alice.pb.collection('attachments').getOne(message.files[0].id);
    expect(a.type).toBe('application/pdf');
    for (const outsider of [carol, admin]) {
      expect((await failure(outsider.pb.collection('attachments').getOne(a.id))).status).toBe(404);
      expect(await outsider.pb.collection('attachments').getFullList({ filter: `conversation = "${chat.id}"` })).toHaveLength(0);
      expect((await fetch(fileUrl(a, a.file, await outsider.pb.files.getToken()))).status).toBe(404);
    }
    expect((await fetch(fileUrl(a, a.file))).status).toBe(404);
    const ok = await fetch(fileUrl(a, a.file, await alice.pb.files.getToken()));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pdf');
    // the header lists a conversation's files for its members
    const listed = await bob.pb.collection('attachments').getFullList({ filter: `conversation = "${chat.id}"`, sort: '-created' });
    expect(listed.map((x) => x.name)).toContain('delivery-note.pdf');
  });

  it('serves what could run script as a download, never inline', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>';
    const { message } = await send(alice, bob, chat.id, 'logo', [{ name: 'logo.svg', data: svg }]);
    const a = await bob.pb.collection('attachments').getOne(message.files[0].id);
    const res = await fetch(fileUrl(a, a.file, await bob.pb.files.getToken()));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('marks a file that is not what its name says as failed, and keeps nothing of it', async () => {
    const { message } = await send(alice, bob, chat.id, 'photo?', [{ name: 'holiday.jpg', data: '<html><script>alert(1)</script></html>' }]);
    expect(message.files[0]).toMatchObject({ status: 'failed', file: '', error: 'This file is not a picture this appliance can read.' });
  });
});

describe('limits', () => {
  it('refuses a file over the size limit or of a refused type, with a sentence', async () => {
    await admin.pb.collection('settings').update(settingsId, { attachment_max_mb: 1, attachment_types: 'image/*, application/pdf' });
    try {
      const big = await failure(upload(alice, chat.id, newKey(), { name: 'scan.pdf', data: Buffer.alloc(1024 * 1024 + 1, 1) }));
      expect(big.status).toBe(400);
      expect(big.response.data.file.message).toBe('“scan.pdf” is 1.0 MB; files are limited to 1 MB each.');
      const exe = await failure(upload(alice, chat.id, newKey(), { name: 'setup.exe', data: 'MZ' }));
      expect(exe.response.data.file.message).toBe(
        '“setup.exe” is a kind of file (application/octet-stream) that cannot be sent here; an administrator sets the allowed types in Settings.',
      );
      const zip = await failure(upload(alice, chat.id, newKey(), { name: 'photos.zip', data: 'PK' }));
      expect(zip.response.data.file.message).toContain('(application/zip) that cannot be sent here');
    } finally {
      await admin.pb.collection('settings').update(settingsId, { attachment_max_mb: 25, attachment_types: 'image/*, application/pdf, text/plain, application/zip' });
    }
  });

  it('refuses uploads into a conversation the caller is not in', async () => {
    const err = await failure(upload(carol, chat.id, newKey(), { name: 'a.txt', data: 'hello' }));
    expect(err.status).toBe(400);
    expect(await app.superuser.collection('uploads').getFullList({ filter: `uploader = "${carol.record.id}"` })).toHaveLength(0);
  });
});

describe('retries', () => {
  it('stores a retried upload and a retried send once', async () => {
    const key = newKey();
    const first = await upload(alice, chat.id, key, { name: 'a.txt', data: 'first try' });
    // the answer was lost: the browser sends the same file again
    const again = await upload(alice, chat.id, key, { name: 'a.txt', data: 'first try' });
    expect(again.id).toBe(first.id);
    const second = await upload(alice, chat.id, key, { name: 'b.txt', data: 'second file' }, 1);
    const m1 = await alice.pb.collection('messages').create({ conversation: chat.id, body: 'two files', client_key: key, with_files: true });
    const m2 = await alice.pb.collection('messages').create({ conversation: chat.id, body: 'two files', client_key: key, with_files: true });
    expect(m2.id).toBe(m1.id);
    expect(m1.files.map((f: any) => f.name)).toEqual(['a.txt', 'b.txt']);
    expect(await app.superuser.collection('attachments').getFullList({ filter: `message = "${m1.id}"` })).toHaveLength(2);
    expect(await app.superuser.collection('messages').getFullList({ filter: `client_key = "${key}"` })).toHaveLength(1);
    // an upload retried after the send is answered with what was stored, and changes nothing
    expect((await upload(alice, chat.id, key, { name: 'b.txt', data: 'second file' }, 1)).id).toBe(second.id);
    expect(await app.superuser.collection('attachments').getFullList({ filter: `message = "${m1.id}"` })).toHaveLength(2);
    // a send whose uploads never arrived is refused, not posted without its files
    const lost = await failure(alice.pb.collection('messages').create({ conversation: chat.id, body: 'see attached', client_key: newKey(), with_files: true }));
    expect(lost.response.data.files.message).toBe('The files of this message did not arrive; attach them again.');
  });
});

describe('the public SMS link', () => {
  it('is refused without a public URL, with what to set', async () => {
    const err = await failure(upload(alice, sms.id, newKey(), { name: 'IMG.jpg', data: photo }));
    expect(err.response.data.file.message).toBe(NO_PUBLIC_URL);
  });

  it('sends the text and a link once the photo is ready; the link shows that file alone, without sign-in, until it expires', async () => {
    await admin.pb.collection('settings').update(settingsId, { public_url: `${app.url}/` });
    const key = newKey();
    await upload(alice, sms.id, key, { name: 'IMG.jpg', data: photo });
    const inbox = await events(alice.pb, 'inbox');
    const m = await alice.pb.collection('messages').create({ conversation: sms.id, body: 'Your part', client_key: key, with_files: true });
    const delivery = await inbox.next((e) => e.type === 'message' && e.message.id === m.id && e.message.files[0].status === 'ready');
    await inbox.off();
    const [d] = await alice.pb.collection('deliveries').getFullList({ filter: `message = "${m.id}"` });
    const link = d.body.split('\n')[1];
    expect(d.body).toMatch(new RegExp(`^Your part\\n${app.url}/f/[A-Za-z0-9]{22}$`));
    expect(d.segments).toBe(1);
    expect(delivery.message.files[0].status).toBe('ready');

    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = Buffer.from(await res.arrayBuffer());
    expect((await sharp(body).metadata()).exif).toBeUndefined();
    expect(body.includes(LATITUDE_SECONDS)).toBe(false);

    // nothing else: no listing, no neighbour, no guessing
    const token = link.split('/f/')[1];
    for (const other of [`${app.url}/f/`, `${app.url}/f/${token.slice(0, -1)}`, `${app.url}/f/${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`, `${link}/..`]) {
      const r = await fetch(other);
      expect(r.headers.get('content-type') ?? '').not.toContain('image');
    }
    expect((await fetch(`${app.url}/f/${token.slice(0, -1)}x`)).status).toBe(404);

    const a = (await app.superuser.collection('attachments').getFullList({ filter: `message = "${m.id}"` }))[0];
    await app.superuser.collection('attachments').update(a.id, { public_expires: '2020-01-01 00:00:00.000Z' });
    const expired = await fetch(link);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toContain('This link has expired or does not exist.');
  });
});

describe('purge', () => {
  it('removes old files for an administrator and leaves a marker', async () => {
    const { message } = await send(alice, bob, chat.id, 'old', [{ name: 'old.txt', data: 'old news' }]);
    const a = await bob.pb.collection('attachments').getOne(message.files[0].id);
    const token = await bob.pb.files.getToken();
    expect((await fetch(fileUrl(a, a.file, token))).status).toBe(200);
    expect((await failure(alice.pb.send('/api/attachments/purge', { method: 'POST', body: { days: 0 } }))).status).toBe(403);
    const inbox = await events(bob.pb, 'inbox');
    const { removed } = await admin.pb.send('/api/attachments/purge', { method: 'POST', body: { days: 0 } });
    expect(removed).toBeGreaterThan(0);
    const marked = await inbox.next((e) => e.type === 'message' && e.message.id === message.id && e.message.files[0].status === 'removed');
    await inbox.off();
    expect(marked.message.files[0]).toMatchObject({ name: 'old.txt', status: 'removed', file: '' });
    expect((await fetch(fileUrl(a, a.file, token))).status).toBe(404);
    const [entry] = await admin.pb.collection('audit_log').getFullList({ filter: 'action = "attachments_purged"' });
    expect(entry.details).toMatchObject({ days: 0 });
  });
});
