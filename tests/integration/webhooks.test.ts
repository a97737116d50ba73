// Webhooks against the real PocketBase and the bridge's worker: a call per
// inbound text and per delivery change of an integration's text, queued in
// the same transaction, signed, retried until 2xx (bounded, then failed, then
// resent by an admin), kept across a restart of PocketBase and of the
// worker, and never in the way of storing a text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type PocketBase from 'pocketbase';
import type { RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { Receiver } from '../helpers/webhooks';
import { poll, log } from '../../smsc-bridge/test/helpers.js';
import { WebhookWorker } from '../../smsc-bridge/src/webhooks/worker.js';
import { SIGNATURE_HEADER, verifyWebhook } from '../../smsc-bridge/src/webhooks/signature.js';

let app: Appliance;
let receiver: Receiver;
let admin: SignedIn, bridge: SignedIn;
let main: RecordModel;
let seq = 0;

beforeAll(async () => {
  [app, receiver] = await Promise.all([startAppliance(), Receiver.start()]);
  main = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  admin = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
  bridge = await createService(app, 'bridge');
});
afterAll(async () => {
  await receiver?.close();
  await app?.stop();
});

/** integration makes an integration listening on its own receiver paths. */
async function integration(name: string, extra: Record<string, unknown> = {}) {
  const made = await admin.pb.send<{ integration: RecordModel; key: string; webhook_secret: string }>('/api/integrations', {
    method: 'POST',
    body: {
      name,
      numbers: [main.id],
      scope_send: true,
      scope_status: true,
      scope_webhooks: true,
      webhook_inbound_url: `${receiver.url}/${name}/in`,
      webhook_status_url: `${receiver.url}/${name}/status`,
      ...extra,
    },
  });
  return { ...made, inPath: `/${name}/in`, statusPath: `/${name}/status` };
}

/** serviceClient signs the bridge's account in afresh (after a restart the old realtime connection is gone). */
async function serviceClient(): Promise<PocketBase> {
  const pb = await app.superuser.collection('services').impersonate(bridge.record.id, 3600);
  pb.autoCancellation(false);
  return pb;
}

async function startWorker(over: Partial<ConstructorParameters<typeof WebhookWorker>[0]> = {}): Promise<WebhookWorker> {
  const w = new WebhookWorker({ pb: await serviceClient(), log, sweepMs: 50, backoff: { baseMs: 50, maxMs: 200, jitter: 0 }, maxAttempts: 5, ...over });
  await w.start();
  return w;
}

const inbound = (body: string, from = '+12015550123') =>
  bridge.pb.send<{ conversation: string }>('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `wh-${++seq}`, from, to: '+12015550100', body } });
const callsOf = (id: string) => app.superuser.collection('webhook_calls').getFullList({ filter: `integration = "${id}"`, sort: 'created' });
const settled = (id: string, n = 1) =>
  poll(() => callsOf(id), (rows) => rows.length >= n && rows.every((r) => r.status !== 'pending'), 10_000, 'webhook calls settled');

describe('webhooks', () => {
  it('signs each call and retries it until the receiver answers 2xx', async () => {
    const hook = await integration('retry');
    receiver.scripts.set(hook.inPath, [500, 503, 200]);
    const worker = await startWorker();
    try {
      const stored = await inbound('Is my table booked?');
      await receiver.until(hook.inPath, 3);
      const [row] = await settled(hook.integration.id);
      expect(row).toMatchObject({ event: 'sms.inbound', status: 'done', attempts: 3, last_status_code: 200, last_error: '' });
      const calls = receiver.on(hook.inPath);
      expect(new Set(calls.map((c) => c.headers['x-webhook-id']))).toEqual(new Set([row.id]));
      for (const c of calls) {
        expect(c.headers['x-webhook-event']).toBe('sms.inbound');
        expect(verifyWebhook(hook.webhook_secret, String(c.headers[SIGNATURE_HEADER.toLowerCase()]), c.body)).toBe(true);
        // another secret, or a body changed on the way, does not verify
        expect(verifyWebhook('whsec_other', String(c.headers[SIGNATURE_HEADER.toLowerCase()]), c.body)).toBe(false);
        expect(verifyWebhook(hook.webhook_secret, String(c.headers[SIGNATURE_HEADER.toLowerCase()]), c.body.replace('table', 'tables'))).toBe(false);
      }
      expect(JSON.parse(calls[2].body)).toMatchObject({ event: 'sms.inbound', from: '+12015550123', to: '+12015550100', text: 'Is my table booked?', conversation: stored.conversation });
    } finally {
      await worker.stop();
    }
  });

  it('gives up after the last attempt (failed, with the code), and Resend makes the call again', async () => {
    const hook = await integration('bounded');
    receiver.scripts.set(hook.inPath, [500, 500]);
    const worker = await startWorker({ maxAttempts: 2 });
    try {
      await inbound('Anyone there?');
      const [failed] = await settled(hook.integration.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, last_status_code: 500, last_error: 'HTTP 500: not now' });
      // members may not resend; the admin may
      await expect((await createUser(app, { name: `M${++seq}`, extension: `5${seq}` })).pb.send(`/api/webhook-calls/${failed.id}/resend`, { method: 'POST' })).rejects.toMatchObject({ status: 403 });
      await admin.pb.send(`/api/webhook-calls/${failed.id}/resend`, { method: 'POST' });
      await receiver.until(hook.inPath, 3);
      const [done] = await settled(hook.integration.id);
      expect(done).toMatchObject({ status: 'done', attempts: 1, last_status_code: 200 });
    } finally {
      await worker.stop();
    }
  });

  it('keeps calls across a restart of PocketBase and of the worker, even between two attempts', async () => {
    const hook = await integration('durable');
    // queued while no worker runs, then PocketBase restarts
    await inbound('First, while nobody sends');
    expect((await callsOf(hook.integration.id)).map((r) => r.status)).toEqual(['pending']);
    await app.restart();
    receiver.scripts.set(hook.inPath, [200, 500, 200]);
    let worker = await startWorker({ backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 0 } });
    await receiver.until(hook.inPath, 1);
    await settled(hook.integration.id);
    // a second call fails once; both processes stop before its retry is due
    bridge.pb = await serviceClient();
    await inbound('Second, interrupted');
    await receiver.until(hook.inPath, 2);
    const waiting = await poll(() => callsOf(hook.integration.id), (rows) => rows[1]?.attempts === 1, 10_000, 'first attempt stored');
    expect(waiting[1]).toMatchObject({ status: 'pending', last_status_code: 500 });
    await worker.stop();
    await app.restart();
    // due now, as if the backoff had passed while everything was down
    await app.superuser.collection('webhook_calls').update(waiting[1].id, { next_attempt_at: '2000-01-01 00:00:00.000Z' });
    worker = await startWorker();
    try {
      await receiver.until(hook.inPath, 3);
      const rows = await settled(hook.integration.id, 2);
      expect(rows.map((r) => [r.status, r.attempts])).toEqual([
        ['done', 1],
        ['done', 2],
      ]);
      expect(receiver.on(hook.inPath).map((c) => JSON.parse(c.body).text)).toEqual(['First, while nobody sends', 'Second, interrupted', 'Second, interrupted']);
    } finally {
      await worker.stop();
      bridge.pb = await serviceClient();
    }
  });

  it('never holds up storing a text: texts are stored while a receiver keeps a call open', async () => {
    const hook = await integration('slow');
    receiver.scripts.set(hook.inPath, ['hang', 'hang']);
    const worker = await startWorker({ concurrency: 1 });
    try {
      await inbound('One');
      await receiver.until(hook.inPath, 1);
      // the worker's call is still open; the next text is stored and answered all the same
      const second = await inbound('Two');
      expect(second.conversation).not.toBe('');
      expect(receiver.held).toHaveLength(1);
      const messages = await app.superuser.collection('messages').getFullList({ filter: `conversation = "${second.conversation}" && body = "Two"` });
      expect(messages).toHaveLength(1);
    } finally {
      receiver.scripts.delete(hook.inPath);
      for (const res of receiver.held.splice(0)) res.writeHead(200).end('ok');
      await worker.stop();
    }
  });

  it("tells the sending integration of its texts' delivery changes, not of the bridge's own steps", async () => {
    const hook = await integration('status');
    const res = await fetch(`${app.url}/api/v1/sms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${hook.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '+12015550177', text: 'Your parcel is on its way', client_key: 'parcel-9' }),
    });
    const sent = await res.json();
    for (const status of ['sending', 'sent', 'delivered']) await bridge.pb.collection('deliveries').update(sent.delivery, { status });
    // a person's text on the same number is not the integration's business
    const rows = await callsOf(hook.integration.id);
    expect(rows.map((r) => [r.event, r.payload.status])).toEqual([
      ['sms.delivery', 'sent'],
      ['sms.delivery', 'delivered'],
    ]);
    expect(rows[1].payload).toMatchObject({ delivery: sent.delivery, message: sent.message, client_key: 'parcel-9', to: '+12015550177', from: '+12015550100' });
    const worker = await startWorker();
    try {
      await receiver.until(hook.statusPath, 2);
      // each once; calls go out concurrently, so they may arrive in either order (docs/integrations.md: the payload's status and time tell)
      expect(receiver.on(hook.statusPath).map((c) => JSON.parse(c.body).status).sort()).toEqual(['delivered', 'sent']);
    } finally {
      await worker.stop();
    }
  });

  it('stops calling a revoked integration', async () => {
    const hook = await integration('revoked');
    await inbound('Before the revocation');
    await admin.pb.send(`/api/integrations/${hook.integration.id}/revoke`, { method: 'POST' });
    await inbound('After it');
    const rows = await callsOf(hook.integration.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', last_error: 'The integration was revoked.' });
  });
});
