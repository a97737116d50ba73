// Integrations through the real bridge and the SMSC simulator: a text sent
// with the API is a submit_sm on the wire and its receipt reaches the
// integration as signed delivery webhooks; a text from a phone (deliver_sm)
// reaches its inbound webhook with a valid signature. The bridge and its
// webhook worker run as in production, on one services account.
import type { RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { WebhookWorker } from '../../smsc-bridge/src/webhooks/worker.js';
import { SIGNATURE_HEADER, verifyWebhook } from '../../smsc-bridge/src/webhooks/signature.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log, poll } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { createService, createUser, startAppliance, type Appliance } from '../helpers/appliance.js';
import { Receiver } from '../helpers/webhooks.js';

describe('integrations through the bridge', () => {
  let app: Appliance;
  let sim: SmscSimulator;
  let receiver: Receiver;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let worker: WebhookWorker;
  let made: { integration: RecordModel; key: string; webhook_secret: string };

  beforeAll(async () => {
    [app, sim, receiver] = await Promise.all([startAppliance(), SmscSimulator.start(), Receiver.start()]);
    const su = app.superuser;
    const link = await su.collection('smsc_links').create({
      name: 'Simulator', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', bind: 'trx',
      window: 10, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    const admin = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
    made = await admin.pb.send('/api/integrations', {
      method: 'POST',
      body: {
        name: 'Booking system', numbers: [main.id], scope_send: true, scope_status: true, scope_webhooks: true,
        webhook_inbound_url: `${receiver.url}/in`, webhook_status_url: `${receiver.url}/status`,
      },
    });
    const service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);
    worker = new WebhookWorker({ pb: store.pb, log, sweepMs: 200 });
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

  const signed = (c: { headers: Record<string, unknown>; body: string }) => verifyWebhook(made.webhook_secret, String(c.headers[SIGNATURE_HEADER.toLowerCase()]), c.body);

  it("puts the API's text on the wire, and its receipt comes back as signed delivery webhooks", async () => {
    const res = await fetch(`${app.url}/api/v1/sms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${made.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '+12015550123', text: 'Reminder: your table for 2 at 7 pm', client_key: 'booking-1' }),
    });
    expect(res.status).toBe(201);
    const sent = await res.json();
    const submit = await sim.waitFor<{ source_addr: string; destination_addr: string; short_message: Buffer; data_coding: number }>('submit', () => true, 5000);
    expect(submit).toMatchObject({ source_addr: '12015550100', destination_addr: '12015550123', data_coding: 0 });
    expect(submit.short_message.toString('latin1')).toBe('Reminder: your table for 2 at 7 pm');
    const status = await poll(
      async () => (await fetch(`${app.url}/api/v1/deliveries/${sent.delivery}`, { headers: { 'X-Api-Key': made.key } })).json(),
      (d) => d.status === 'delivered',
      5000,
      'delivered through the API',
    );
    expect(status).toMatchObject({ id: sent.delivery, message: sent.message, client_key: 'booking-1', attempts: 1 });
    // the bridge may write `sent` and `delivered` as one change when the receipt is that quick: the last state is what counts
    await receiver.until('/status', 1, (c) => JSON.parse(c.body).status === 'delivered');
    const calls = receiver.on('/status');
    expect(calls.map((c) => JSON.parse(c.body).status).filter((x) => x !== 'sent')).toEqual(['delivered']);
    expect(calls.map((c) => JSON.parse(c.body).delivery)).toEqual(calls.map(() => sent.delivery));
    expect(calls.every(signed)).toBe(true);
  });

  it("hands a phone's text to the inbound webhook, signed", async () => {
    const resp = await sim.deliver({ source_addr: '12015550123', destination_addr: '12015550100', short_message: Buffer.from('See you at 7') });
    expect(resp.command_status).toBe(0);
    await receiver.until('/in', 1);
    const [call] = receiver.on('/in');
    expect(signed(call)).toBe(true);
    expect(call.headers['x-webhook-event']).toBe('sms.inbound');
    expect(JSON.parse(call.body)).toMatchObject({ event: 'sms.inbound', from: '+12015550123', to: '+12015550100', text: 'See you at 7' });
  });
});
