// Keyword replies answered by a webhook, through the real bridge, its webhook
// worker and the SMSC simulator: a phone texts a keyword (deliver_sm), the
// receiver gets a signed `sms.keyword` call, and its answer is a submit_sm
// back to the phone; a receiver that hangs then fails gets the fixed reply
// sent instead; a call made again (an admin's resend, hand-overs at once)
// texts one reply only; too long, empty and unusable answers, and opted-out
// phones, each end as docs/integrations.md ("Keyword auto-replies") says.
import type { RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { WebhookWorker } from '../../smsc-bridge/src/webhooks/worker.js';
import { SIGNATURE_HEADER, verifyWebhook } from '../../smsc-bridge/src/webhooks/signature.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log, poll } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance.js';
import { Receiver } from '../helpers/webhooks.js';

const FALLBACK = 'Text your order number and we will look it up.';

describe('keyword replies answered by a webhook', () => {
  let app: Appliance;
  let sim: SmscSimulator;
  let receiver: Receiver;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let worker: WebhookWorker;
  let admin: SignedIn;
  let service: SignedIn;
  let main: RecordModel;
  let shop: { integration: RecordModel; webhook_secret: string };
  let order: RecordModel, menu: RecordModel;
  let seq = 0;

  beforeAll(async () => {
    [app, sim, receiver] = await Promise.all([startAppliance(), SmscSimulator.start(), Receiver.start()]);
    const su = app.superuser;
    const link = await su.collection('smsc_links').create({
      name: 'Simulator', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', bind: 'trx',
      window: 10, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    admin = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
    shop = await admin.pb.send('/api/integrations', { method: 'POST', body: { name: 'Shop', numbers: [main.id], scope_webhooks: true } });
    order = await admin.pb.collection('keyword_replies').create({
      our_number: main.id, keyword: 'order', reply: FALLBACK, webhook_url: `${receiver.url}/order`, integration: shop.integration.id,
    });
    // no fixed reply: nothing to fall back on
    menu = await admin.pb.collection('keyword_replies').create({ our_number: main.id, keyword: 'menu', webhook_url: `${receiver.url}/menu`, integration: shop.integration.id });
    service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);
    worker = new WebhookWorker({ pb: store.pb, log, sweepMs: 200, keywordTimeoutMs: 300, keywordBackoff: { baseMs: 50, maxMs: 50, jitter: 0 } });
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await sim?.close();
    await receiver?.close();
    await app?.stop();
  });

  const text = (from: string, body: string) => sim.deliver({ source_addr: from, destination_addr: '12015550100', short_message: Buffer.from(body) });
  const submitTo = (phone: string) => sim.waitFor<{ destination_addr: string; short_message: Buffer }>('submit', (s) => s.destination_addr === phone, 10_000);
  const keywordCalls = (phone: string) =>
    app.superuser.collection('webhook_calls').getFullList({ filter: `event = "sms.keyword" && payload.from = "+${phone}"`, sort: 'created' });
  const deliveriesTo = (phone: string) => app.superuser.collection('deliveries').getFullList({ filter: `to = "+${phone}"` });
  const thread = (conversation: string) => app.superuser.collection('messages').getFullList({ filter: `conversation = "${conversation}"`, sort: 'created' });
  const signed = (c: { headers: Record<string, unknown>; body: string }) => verifyWebhook(shop.webhook_secret, String(c.headers[SIGNATURE_HEADER.toLowerCase()]), c.body);

  it("hands a texted keyword to the receiver, signed, and puts its answer on the wire to the phone", async () => {
    receiver.scripts.set('/order', [{ status: 200, type: 'application/json', body: JSON.stringify({ reply: 'Order 1042 is ready for pickup.' }) }]);
    await text('12015550123', 'Order!');
    const submit = await submitTo('12015550123');
    expect(submit.short_message.toString('latin1')).toBe('Order 1042 is ready for pickup.');
    const [call] = receiver.on('/order');
    expect(signed(call)).toBe(true);
    expect(call.headers['x-webhook-event']).toBe('sms.keyword');
    const payload = JSON.parse(call.body);
    expect(payload).toMatchObject({ event: 'sms.keyword', keyword: 'ORDER', from: '+12015550123', to: '+12015550100', text: 'Order!' });
    const [row] = await keywordCalls('12015550123');
    expect(call.headers['x-webhook-id']).toBe(row.id);
    expect(row).toMatchObject({ keyword_reply: order.id, reply_outcome: 'sent', reply_note: '' });
    const lines = await thread(payload.conversation);
    expect(lines.map((m) => [m.kind, m.body])).toEqual([
      ['text', 'Order!'],
      ['system', "Sent the webhook's reply to ORDER"],
    ]);
    expect(lines[0].id).toBe(payload.message);
    expect(lines[1].event).toEqual({ type: 'keyword_reply', phone: '+12015550123', keyword: 'ORDER', webhook_call: row.id, source: 'webhook' });
  });

  it('sends the fixed reply when the receiver does not answer in time, then fails', async () => {
    receiver.scripts.set('/order', ['hang', 503]);
    await text('12015550124', 'order');
    const submit = await submitTo('12015550124');
    expect(submit.short_message.toString('latin1')).toBe(FALLBACK);
    expect(receiver.on('/order').filter((c) => JSON.parse(c.body).from === '+12015550124')).toHaveLength(2);
    const [row] = await poll(() => keywordCalls('12015550124'), (rows) => rows[0]?.status === 'failed', 5000, 'the call marked failed');
    expect(row).toMatchObject({ attempts: 2, last_status_code: 503, reply_outcome: 'fallback', reply_note: 'The call failed: HTTP 503: not now Sent the fixed reply instead.' });
    expect((await deliveriesTo('12015550124')).map((d) => d.body)).toEqual([FALLBACK]);
  });

  it("texts no second reply when an admin resends a call the receiver answered", async () => {
    const [before] = await keywordCalls('12015550123');
    receiver.scripts.set('/order', [{ status: 200, type: 'text/plain', body: 'Order 1042 is ready (again).' }]);
    await admin.pb.send(`/api/webhook-calls/${before.id}/resend`, { method: 'POST' });
    const [after] = await poll(() => keywordCalls('12015550123'), (rows) => rows[0].status === 'done' && rows[0].last_attempt_at > before.last_attempt_at, 5000, 'the resent call made');
    expect(receiver.on('/order').filter((c) => c.headers['x-webhook-id'] === before.id)).toHaveLength(2);
    expect(after).toMatchObject({ reply_outcome: 'sent', attempts: 1 });
    // the hand-over came before the call was closed: a second reply would be queued by now
    expect((await deliveriesTo('12015550123')).map((d) => d.body)).toEqual(['Order 1042 is ready for pickup.']);
    expect(sim.submits.filter((s) => s.destination_addr === '12015550123')).toHaveLength(1);
  });

  /** handed makes a keyword call that the worker already closed, for the reply route alone. */
  async function handed(keyword: RecordModel, phone: string): Promise<RecordModel> {
    const { conversation } = await service.pb.send<{ conversation: string }>('/api/sms/inbound', {
      method: 'POST',
      body: { dedupe_key: `kwh-${++seq}`, from: phone, to: '+12015550100', body: 'hello' },
    });
    return app.superuser.collection('webhook_calls').create({
      integration: shop.integration.id, event: 'sms.keyword', url: `${receiver.url}/none`, status: 'done', attempts: 1, keyword_reply: keyword.id,
      payload: { event: 'sms.keyword', keyword: keyword.keyword, from: phone, to: '+12015550100', conversation, text: keyword.keyword },
    });
  }
  const handOver = (call: RecordModel, body: Record<string, string>) =>
    service.pb.send<{ outcome: string; note: string; duplicate: boolean }>(`/api/webhook-calls/${call.id}/keyword-reply`, { method: 'POST', body });

  it('texts one reply however many hand-overs of a call arrive at once', async () => {
    const call = await handed(order, '+12015550125');
    const answers = await Promise.all(Array.from({ length: 5 }, () => handOver(call, { reply: 'Your order ships today.' })));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(answers.map((a) => a.outcome)).toEqual(Array(5).fill('sent'));
    // a later failure cannot add the fallback either
    expect(await handOver(call, { failed: 'HTTP 500' })).toEqual({ outcome: 'sent', note: '', duplicate: true });
    expect((await deliveriesTo('12015550125')).map((d) => d.body)).toEqual(['Your order ships today.']);
  });

  it.each([
    ['an empty answer sends nothing', 'order', { reply: '' }, 'empty', 'The webhook answered with no reply: nothing was sent.', []],
    [
      'a too long answer is refused, and the fixed reply sent',
      'order',
      { reply: 'x'.repeat(1600) },
      'fallback',
      'Refused the answer: It would be sent as 11 SMS (GSM-7); the limit is 10. Shorten it. Sent the fixed reply instead.',
      [FALLBACK],
    ],
    [
      'an unusable answer without a fixed reply sends nothing',
      'menu',
      { refused: 'The answer is text/html; answer with text/plain or JSON {"reply": "..."}.' },
      'refused',
      'Refused the answer: The answer is text/html; answer with text/plain or JSON {"reply": "..."}. No fixed reply to send instead.',
      [],
    ],
    ['a failed call without a fixed reply sends nothing', 'menu', { failed: 'No answer within 5 s.' }, 'none', 'The call failed: No answer within 5 s. No fixed reply to send instead.', []],
  ])('%s', async (_name, word, body, outcome, note, sent) => {
    const phone = `+1201555${String(200 + ++seq).padStart(4, '0')}`;
    const call = await handed(word === 'order' ? order : menu, phone);
    expect(await handOver(call, body)).toEqual({ outcome, note, duplicate: false });
    expect(await app.superuser.collection('webhook_calls').getOne(call.id)).toMatchObject({ reply_outcome: outcome, reply_note: note });
    expect((await deliveriesTo(phone.slice(1))).map((d) => d.body)).toEqual(sent);
  });

  it('texts nothing to a phone that opted out after the call was queued', async () => {
    const call = await handed(order, '+12015550126');
    await service.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `kwh-${++seq}`, from: '+12015550126', to: '+12015550100', body: 'STOP' } });
    const before = await deliveriesTo('12015550126');
    expect(await handOver(call, { reply: 'Your order ships today.' })).toEqual({ outcome: 'none', note: 'Not replied: the phone opted out.', duplicate: false });
    expect(await deliveriesTo('12015550126')).toHaveLength(before.length);
  });

  it('keeps the reply fields for the reply route: the worker cannot write them', async () => {
    const call = await handed(order, '+12015550127');
    await expect(service.pb.collection('webhook_calls').update(call.id, { reply_outcome: 'sent' })).rejects.toMatchObject({ status: 404 });
    await expect(handOver(call, { reply: 'a', failed: 'b' })).rejects.toMatchObject({ status: 400 });
  });

  it('refuses a webhook without a live integration to sign it, and a URL that is not http', async () => {
    const refusal = (body: Record<string, unknown>) =>
      admin.pb.collection('keyword_replies').create({ our_number: main.id, keyword: `W${++seq}`, ...body }).then(
        () => null,
        (e) => e.response.data,
      );
    const url = `${receiver.url}/x`;
    expect((await refusal({ webhook_url: url })).integration.message).toBe('Choose the integration whose secret signs the webhook calls.');
    expect((await refusal({ webhook_url: 'ftp://example.com/x', integration: shop.integration.id })).webhook_url.message).toBe('The webhook URL starts with http:// or https://.');
    const quiet = await admin.pb.send('/api/integrations', { method: 'POST', body: { name: 'No webhooks', scope_status: true } });
    expect((await refusal({ webhook_url: url, integration: quiet.integration.id })).integration.message).toBe(
      'That integration cannot receive webhooks: it is revoked, or "Receive webhooks" is off on it.',
    );
    // without a webhook, the reply is still required
    expect((await refusal({})).reply.message).toBe('Write the reply customers get.');
  });
});
