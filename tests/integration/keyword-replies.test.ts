// Keyword auto-replies against the real PocketBase: an admin sets "HOURS" on a
// business number; a phone texting exactly that word gets the reply (a system
// line and one queued SMS, not relayed), any other text is just a text, an
// opted-out phone gets nothing, and reserved or malformed keywords are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

let app: Appliance;
let admin: SignedIn, bridge: SignedIn;
let main: RecordModel, other: RecordModel;
let seq = 0;

beforeAll(async () => {
  app = await startAppliance();
  main = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  other = await app.superuser.collection('numbers').create({ e164: '+12015550200', label: 'Other', sms_enabled: true, mode: 'direct' });
  admin = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
  bridge = await createService(app, 'bridge');
  await admin.pb.collection('keyword_replies').create({ our_number: main.id, keyword: ' hours ', reply: 'Open 9-5, Monday to Saturday.' });
});
afterAll(() => app?.stop());

const inbound = (from: string, body: string, to = '+12015550100') =>
  bridge.pb.send<{ conversation: string }>('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `kw-${++seq}`, from, to, body } });
const thread = (conversation: string) => app.superuser.collection('messages').getFullList({ filter: `conversation = "${conversation}"`, sort: 'created', expand: '' });
const deliveriesTo = (phone: string) => app.superuser.collection('deliveries').getFullList({ filter: `to = "${phone}"`, sort: 'created' });

describe('keyword auto-replies', () => {
  it('stores the keyword in capitals', async () => {
    const [row] = await admin.pb.collection('keyword_replies').getFullList();
    expect(row).toMatchObject({ keyword: 'HOURS', our_number: main.id });
  });

  it('answers a text that is exactly the keyword, whatever its case and trailing punctuation', async () => {
    const { conversation } = await inbound('+12015550123', 'Hours!');
    const lines = await thread(conversation);
    expect(lines.map((m) => [m.kind, m.body])).toEqual([
      ['text', 'Hours!'],
      ['system', 'Sent the automatic reply to HOURS'],
    ]);
    expect(lines[1].event).toEqual({ type: 'keyword_reply', phone: '+12015550123', keyword: 'HOURS' });
    const sent = await deliveriesTo('+12015550123');
    expect(sent.map((d) => [d.from, d.body, d.status])).toEqual([['+12015550100', 'Open 9-5, Monday to Saturday.', 'queued']]);
  });

  it('leaves other texts alone, and keywords are per number', async () => {
    await inbound('+12015550124', 'hours tomorrow?');
    await inbound('+12015550124', 'HOURS', '+12015550200');
    expect(await deliveriesTo('+12015550124')).toEqual([]);
  });

  it('sends nothing to a phone that opted out', async () => {
    await inbound('+12015550125', 'STOP');
    const before = (await deliveriesTo('+12015550125')).length;
    const { conversation } = await inbound('+12015550125', 'hours');
    expect((await deliveriesTo('+12015550125')).length).toBe(before);
    expect((await thread(conversation)).filter((m) => m.body === 'Sent the automatic reply to HOURS')).toEqual([]);
  });

  it('refuses reserved, malformed and repeated keywords, and empty replies, with a sentence', async () => {
    const refusal = (body: Record<string, unknown>) =>
      admin.pb.collection('keyword_replies').create({ our_number: main.id, reply: 'x', ...body }).then(
        () => null,
        (e) => e.response.data,
      );
    expect((await refusal({ keyword: 'stop' })).keyword.message).toBe(
      'STOP is kept for opt-outs and help (STOP, START, HELP and the words that mean the same); their replies are under Settings.',
    );
    expect((await refusal({ keyword: 'opening hours' })).keyword.message).toBe('A keyword is one word of letters and digits, at most 20.');
    expect((await refusal({ keyword: 'menu', reply: ' ' })).reply.message).toBe('Write the reply customers get.');
    expect((await refusal({ keyword: 'Hours' })).keyword.code).toBe('validation_not_unique');
    // the same word on another number is another keyword
    expect(await refusal({ our_number: other.id, keyword: 'hours' })).toBeNull();
  });
});
