// Search against the real binary (docs/search.md): the FTS index follows
// every message write, folds case and accents, reads phrases and prefixes,
// refuses queries with no word in words, applies its filters, finds
// conversations by title, name and number, and answers only with what the
// caller can read right now (a group they left, a queue they logged out of,
// a number taken away: gone at once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

let app: Appliance;
let admin: SignedIn, alice: SignedIn, bob: SignedIn, carol: SignedIn, bridge: SignedIn;
let direct: string, group: string;
let number: RecordModel;
let seq = 0;

interface Answer {
  conversations: { id: string; kind: string; title: string; matched: string }[];
  messages: { id: string; conversation: string; author: string; author_phone: string; body: string; created: string }[];
  next: number;
}

const search = (who: SignedIn, q: string, filters: Record<string, string> = {}) =>
  who.pb.send<Answer>(`/api/search?${new URLSearchParams({ q, ...filters })}`, {});
const bodies = async (who: SignedIn, q: string, filters: Record<string, string> = {}) => (await search(who, q, filters)).messages.map((m) => m.body);
const post = (who: SignedIn, conversation: string, body: string) =>
  who.pb.collection('messages').create({ conversation, body, client_key: `k${++seq}` });
const inbound = (from: string, to: string, body: string) =>
  bridge.pb.send<{ conversation: string }>('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `s${++seq}`, from, to, body } });

async function failure(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  admin = await createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' });
  alice = await createUser(app, { name: 'Alice Archer', extension: '101' });
  bob = await createUser(app, { name: 'Bob Baker', extension: '102' });
  carol = await createUser(app, { name: 'Carol Cook', extension: '103' });
  bridge = await createService(app, 'bridge');
  number = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  for (const u of [alice, bob]) await su.collection('users').update(u.record.id, { sms_numbers: [number.id], default_number: number.id });
  direct = (await alice.pb.send('/api/conversations/direct', { method: 'POST', body: { user: bob.record.id } })).id;
  group = (await alice.pb.send('/api/conversations/group', { method: 'POST', body: { title: 'Ops Crew', members: [bob.record.id, carol.record.id] } })).id;
});
afterAll(() => app?.stop());

describe('the index', () => {
  it('finds a message as soon as it is posted, and never a system line', async () => {
    await post(alice, direct, 'The zeppelin lands at noon');
    expect(await bodies(bob, 'zeppelin')).toEqual(['The zeppelin lands at noon']);
    await alice.pb.send(`/api/conversations/${group}/title`, { method: 'POST', body: { title: 'Walrus Watchers' } });
    expect(await bodies(alice, 'walrus')).toEqual([]);
    expect((await search(alice, 'walrus')).conversations).toMatchObject([{ id: group, matched: 'title' }]);
    await alice.pb.send(`/api/conversations/${group}/title`, { method: 'POST', body: { title: 'Ops Crew' } });
  });

  it('finds texts that came in by SMS and the replies that went out', async () => {
    const r = await inbound('+12015550301', number.e164, 'Can I pay the quokka invoice by card?');
    await post(bob, r.conversation, 'Yes, the quokka invoice can be paid by card.');
    const found = await search(alice, 'quokka');
    expect(found.messages.map((m) => m.body)).toEqual(['Yes, the quokka invoice can be paid by card.', 'Can I pay the quokka invoice by card?']);
    expect(found.messages[1]).toMatchObject({ conversation: r.conversation, author_phone: '+12015550301', author: '' });
  });

  it('ignores case and accents in any language, and emoji', async () => {
    await post(alice, group, 'Le CAFÉ est prêt à Noël 🎄🎉');
    await post(alice, group, 'Καλημέρα σας, η παραγγελία έφτασε');
    await post(alice, group, 'Straße gesperrt, Ärger im Büro');
    await post(alice, group, '🎉🎉🎉');
    expect(await bodies(carol, 'cafe noel')).toEqual(['Le CAFÉ est prêt à Noël 🎄🎉']);
    expect(await bodies(carol, 'Café NOËL ')).toEqual(['Le CAFÉ est prêt à Noël 🎄🎉']);
    await post(alice, group, 'Привет, заказ ГОТОВ');
    expect(await bodies(carol, 'ΠΑΡΑΓΓΕΛΊΑ')).toEqual(['Καλημέρα σας, η παραγγελία έφτασε']);
    expect(await bodies(carol, 'готов привет')).toEqual(['Привет, заказ ГОТОВ']);
    expect(await bodies(carol, 'arger buro')).toEqual(['Straße gesperrt, Ärger im Büro']);
    expect(await bodies(carol, 'prêt 🎉')).toEqual(['Le CAFÉ est prêt à Noël 🎄🎉']);
  });

  it('reads "phrases" as words in order and a word being typed, or word*, as a prefix', async () => {
    await post(bob, group, 'the parcel from last week arrived');
    await post(bob, group, 'last parcel this week');
    expect(await bodies(carol, '"parcel from last week"')).toEqual(['the parcel from last week arrived']);
    expect(await bodies(carol, 'parcel week ')).toEqual(['last parcel this week', 'the parcel from last week arrived']);
    expect(await bodies(carol, '"last week"')).toEqual(['the parcel from last week arrived']);
    expect(await bodies(carol, 'arriv')).toEqual(['the parcel from last week arrived']);
    expect(await bodies(carol, 'arriv ')).toEqual([]);
    expect(await bodies(carol, 'arr* parc')).toEqual(['the parcel from last week arrived']);
  });

  it('is built by its migration from the messages already stored, oldest first', async () => {
    const root = resolve(import.meta.dirname, '..', '..');
    const migrate = (...args: string[]) => {
      const r = spawnSync(join(root, 'build', 'pocketbase'), ['migrate', ...args, '--dir', app.dataDir, '--migrationsDir', join(root, 'pb_migrations')], { encoding: 'utf8', input: 'y\n' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
    };
    await post(alice, direct, 'an older wombat');
    await post(bob, direct, 'a newer wombat');
    // back to before the index: the search migration and every later one (they may need columns
    // the hooks write, so nothing is posted meanwhile)
    const later = readdirSync(join(root, 'pb_migrations')).filter((f) => /^\d+_.*\.js$/.test(f) && Number(f.split('_')[0]) >= 1795660000);
    migrate('down', String(later.length));
    expect((await failure(search(alice, 'wombat'))).status).toBe(400);
    migrate('up');
    expect(await bodies(alice, 'wombat')).toEqual(['a newer wombat', 'an older wombat']);
    await post(alice, direct, 'the newest wombat');
    expect(await bodies(bob, 'wombat')).toEqual(['the newest wombat', 'a newer wombat', 'an older wombat']);
  });

  it('leaves merging its segments to the minute cron, not to sends, and finds everything afterwards', async () => {
    // the index's segments, read from its shadow table (docs/search.md, "Cost on a send")
    const segments = () => {
      const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', join(app.dataDir, 'data.db'), 'SELECT count(DISTINCT segid) FROM message_fts_idx'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    const merge = () => app.superuser.send('/api/crons/search-merge', { method: 'POST' });
    await merge();
    const before = segments();
    for (let i = 0; i < 12; i++) await post(alice, direct, `platypus sighting ${i}`);
    // each send wrote its words as one new segment and merged nothing
    expect(segments()).toBe(before + 12);
    await merge();
    expect(segments()).toBeLessThanOrEqual(before + 1);
    expect((await search(bob, 'platypus', { limit: '50' })).messages.map((m) => m.body)).toEqual(
      Array.from({ length: 12 }, (_, i) => `platypus sighting ${11 - i}`),
    );
    expect(await bodies(alice, '"sighting 7"')).toEqual(['platypus sighting 7']);
  });

  it('refuses a query with no word with a clear 400, and never lets syntax through', async () => {
    for (const q of ['"', '""', '***', 'AND OR NOT', '(NEAR)', '🎉', '   ', '-^:']) {
      const err = await failure(search(alice, q));
      expect(err.status, q).toBe(400);
      expect(err.response.message).toMatch(/Type a word to search for/);
    }
    for (const q of ['a" OR "b', 'body:zeppelin', 'NEAR(zeppelin noon)', 'zeppelin AND', '{body}: x', "zeppelin's", 'zeppelin -noon']) {
      expect((await search(bob, q)).messages.length, q).toBeLessThanOrEqual(1);
    }
    expect((await failure(search(alice, 'x', { since: 'yesterday' }))).status).toBe(400);
    expect((await failure(search(alice, 'x', { kind: 'fax' }))).status).toBe(400);
    expect((await failure(search(alice, 'x', { from: 'not a number' }))).status).toBe(400);
  });
});

describe('filters', () => {
  beforeAll(async () => {
    await post(alice, direct, 'marmalade from Alice in direct');
    await post(bob, group, 'marmalade from Bob in the group');
    await inbound('+12015550302', number.e164, 'marmalade from a customer');
  });

  it('in one conversation, from a person (a colleague, or a phone in any format), SMS or chat only', async () => {
    expect(await bodies(bob, 'marmalade', { conversation: direct })).toEqual(['marmalade from Alice in direct']);
    expect(await bodies(bob, 'marmalade', { from: bob.record.id })).toEqual(['marmalade from Bob in the group']);
    expect(await bodies(bob, 'marmalade', { from: '(201) 555-0302' })).toEqual(['marmalade from a customer']);
    expect(await bodies(bob, 'marmalade', { from: '+1 201 555 0302' })).toEqual(['marmalade from a customer']);
    expect(await bodies(bob, 'marmalade', { kind: 'sms' })).toEqual(['marmalade from a customer']);
    expect(await bodies(bob, 'marmalade', { kind: 'chat' })).toEqual(['marmalade from Bob in the group', 'marmalade from Alice in direct']);
  });

  it('within dates: since a day, until a day (inclusive), or exact instants', async () => {
    const all = await search(bob, 'marmalade');
    expect(all.messages).toHaveLength(3);
    const newest = all.messages[0].created;
    const day = newest.slice(0, 10);
    expect(await bodies(bob, 'marmalade', { since: day, until: day })).toHaveLength(3);
    expect(await bodies(bob, 'marmalade', { until: '2000-01-01' })).toEqual([]);
    expect(await bodies(bob, 'marmalade', { since: '2999-01-01' })).toEqual([]);
    expect(await bodies(bob, 'marmalade', { since: newest.replace(' ', 'T') })).toEqual(['marmalade from a customer']);
    expect(await bodies(bob, 'marmalade', { until: newest.replace(' ', 'T') })).toHaveLength(2);
  });

  it('pages older results with the cursor it answers', async () => {
    const first = await search(bob, 'marmalade', { limit: '2' });
    expect(first.messages).toHaveLength(2);
    expect(first.next).toBeGreaterThan(0);
    const second = await search(bob, 'marmalade', { limit: '2', before: String(first.next) });
    expect(second.messages.map((m) => m.body)).toEqual(['marmalade from Alice in direct']);
    expect(second.next).toBe(0);
    expect(second.conversations).toEqual([]);
  });
});

describe('conversations', () => {
  it('are found by title, by a colleague in them and by a phone in them written in any format or named in the phonebook', async () => {
    const customer = await inbound('+12015550399', number.e164, 'hello there');
    expect((await search(carol, 'ops cr')).conversations).toMatchObject([{ id: group, matched: 'title' }]);
    expect((await search(bob, 'Alice')).conversations.map((c) => c.id)).toEqual(expect.arrayContaining([direct, group]));
    expect((await search(bob, 'Alice')).conversations.find((c) => c.id === direct)).toMatchObject({ matched: 'member' });
    for (const q of ['(201) 555-0399', '201-555-0399', '+1 201 555 0399', '0399', '12015550399']) {
      expect((await search(bob, q)).conversations, q).toMatchObject([{ id: customer.conversation, matched: 'phone' }]);
    }
    await bob.pb.collection('contacts').create({ name: 'Priya Patel', owner: bob.record.id, numbers: [{ e164: '+12015550399', label: 'mobile' }] });
    expect((await search(bob, 'priya')).conversations).toMatchObject([{ id: customer.conversation, matched: 'phone' }]);
    // Bob's personal contact names nothing for Alice
    expect((await search(alice, 'priya')).conversations).toEqual([]);
    expect((await search(carol, '0399')).conversations).toEqual([]);
  });
});

describe('access', () => {
  it('answers only with messages of conversations the caller is in: not other people, not admins', async () => {
    await post(alice, direct, 'the secret narwhal plan');
    expect(await bodies(bob, 'narwhal')).toEqual(['the secret narwhal plan']);
    expect(await bodies(carol, 'narwhal')).toEqual([]);
    expect(await bodies(admin, 'narwhal')).toEqual([]);
    expect(await bodies(carol, 'narwhal', { conversation: direct })).toEqual([]);
    expect((await search(carol, 'Bob')).conversations.map((c) => c.id)).not.toContain(direct);
  });

  it('stops at once for someone removed from a group, and again when they are back', async () => {
    await post(alice, group, 'the pelican budget is approved');
    expect(await bodies(carol, 'pelican')).toEqual(['the pelican budget is approved']);
    await alice.pb.send(`/api/conversations/${group}/members/${carol.record.id}`, { method: 'DELETE' });
    expect(await bodies(carol, 'pelican')).toEqual([]);
    expect((await search(carol, 'ops crew')).conversations).toEqual([]);
    await alice.pb.send(`/api/conversations/${group}/members`, { method: 'POST', body: { users: [carol.record.id] } });
    expect(await bodies(carol, 'pelican')).toEqual(['the pelican budget is approved']);
  });

  it('stops at once for a user whose number was taken away', async () => {
    const r = await inbound('+12015550303', number.e164, 'my axolotl order number is 42');
    expect(await bodies(bob, 'axolotl')).toEqual(['my axolotl order number is 42']);
    expect(await bodies(carol, 'axolotl')).toEqual([]);
    await app.superuser.collection('users').update(bob.record.id, { sms_numbers: [], default_number: '' });
    expect(await bodies(bob, 'axolotl')).toEqual([]);
    expect((await search(bob, '201 555 0303')).conversations).toEqual([]);
    expect(await bodies(alice, 'axolotl')).toEqual(['my axolotl order number is 42']);
    await app.superuser.collection('users').update(bob.record.id, { sms_numbers: [number.id], default_number: number.id });
    expect(await bodies(bob, 'axolotl', { conversation: r.conversation })).toEqual(['my axolotl order number is 42']);
  });

  it('stops at once for an agent who logged out of the queue', async () => {
    const sales = await admin.pb.collection('queues').create({ name: 'Sales', members: [alice.record.id, carol.record.id], greeting: '' });
    const qn = await app.superuser.collection('numbers').create({ e164: '+12015550200', label: 'Sales', sms_enabled: true, mode: 'queue', queue: sales.id });
    await carol.pb.send(`/api/queue/${sales.id}/login`, { method: 'POST' });
    await inbound('+12015550304', qn.e164, 'is the ocelot lamp in stock?');
    expect(await bodies(carol, 'ocelot')).toEqual(['is the ocelot lamp in stock?']);
    expect(await bodies(alice, 'ocelot')).toEqual([]);
    await carol.pb.send(`/api/queue/${sales.id}/logout`, { method: 'POST' });
    expect(await bodies(carol, 'ocelot')).toEqual([]);
    expect((await search(carol, '2015550304')).conversations).toEqual([]);
  });
});
