// The phonebook against the real binary: personal contacts invisible to
// everyone else (lists, filters, search, names), the shared phonebook's
// editors, numbers normalised and indexed, search across the three sources,
// names for numbers, imports, and renames reaching other clients' inboxes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { events } from '../helpers/events';
import { parseCsv, parseVcards, rowsFromCsv, guessColumn } from '../../src/lib/phonebook/files';

let app: Appliance;
let admin: SignedIn, bob: SignedIn, carol: SignedIn, editor: SignedIn;
let numberId: string;

const status = (p: Promise<unknown>) => p.then(() => 200, (e) => (e instanceof ClientResponseError ? e.status : Promise.reject(e)));

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
  bob = await createUser(app, { name: 'Bob', extension: '200' });
  carol = await createUser(app, { name: 'Carol', extension: '300' });
  editor = await createUser(app, { name: 'Eddie', extension: '400' });
  await su.collection('users').update(editor.record.id, { edit_phonebook: true });
  const number = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  numberId = number.id;
  for (const u of [bob, carol]) await su.collection('users').update(u.record.id, { sms_numbers: [number.id], default_number: number.id });
});
afterAll(() => app?.stop());

describe('personal contacts', () => {
  it('are invisible to everyone but their owner: lists, views, filters, search, names', async () => {
    const mine = await bob.pb.collection('contacts').create({ name: 'Zelda Secret', owner: bob.record.id, numbers: [{ e164: '(201) 555-0777', label: 'mobile' }] });
    expect(mine.numbers).toEqual([{ e164: '+12015550777', label: 'mobile' }]);
    for (const other of [carol, admin, editor]) {
      expect(await other.pb.collection('contacts').getFullList()).not.toContainEqual(expect.objectContaining({ id: mine.id }));
      expect(await status(other.pb.collection('contacts').getOne(mine.id))).toBe(404);
      expect((await other.pb.collection('contacts').getList(1, 10, { filter: 'name ~ "Zelda"' })).items).toEqual([]);
      expect((await other.pb.collection('contact_numbers').getList(1, 10, { filter: 'e164 = "+12015550777"' })).items).toEqual([]);
      expect((await other.pb.collection('contact_numbers').getList(1, 10, { filter: 'contact.name ~ "Zelda"' })).items).toEqual([]);
      const found = await other.pb.send('/api/contacts/search?q=Zelda', {});
      expect(found.phonebook).toEqual([]);
      const byNumber = await other.pb.send('/api/contacts/search?q=555-0777', {});
      expect(byNumber.phonebook).toEqual([]);
      expect(await other.pb.send('/api/names', { method: 'POST', body: { phones: ['+12015550777'] } })).toEqual({});
    }
    expect((await bob.pb.send('/api/contacts/search?q=zel', {})).phonebook).toMatchObject([{ name: 'Zelda Secret', e164: '+12015550777', personal: true }]);
    expect(await bob.pb.send('/api/names', { method: 'POST', body: { phones: ['+12015550777'] } })).toMatchObject({ '+12015550777': { name: 'Zelda Secret', source: 'personal' } });
  });

  it("cannot be made for someone else, moved to the shared phonebook or given another's owner", async () => {
    expect(await status(carol.pb.collection('contacts').create({ name: 'X', owner: bob.record.id }))).toBe(400);
    expect(await status(carol.pb.collection('contacts').create({ name: 'X' }))).toBe(400);
    const mine = await carol.pb.collection('contacts').create({ name: 'Mine', owner: carol.record.id });
    expect(await status(carol.pb.collection('contacts').update(mine.id, { owner: '' }))).toBe(404);
    expect(await status(carol.pb.collection('contacts').update(mine.id, { owner: bob.record.id }))).toBe(404);
  });

  it('refuses a number in an unknown format and an empty name with a sentence', async () => {
    const err = await carol.pb.collection('contacts').create({ name: 'Bad', owner: carol.record.id, numbers: [{ e164: '12', label: '' }] }).catch((e) => e);
    expect(err.response.data.numbers.message).toBe('12 is not a complete phone number.');
    const err2 = await carol.pb.collection('contacts').create({ name: ' \u200b ', owner: carol.record.id }).catch((e) => e);
    expect(err2.response.data.name.message).toBe('Give the contact a name.');
  });
});

describe('the shared phonebook', () => {
  it('is read by every user and edited by admins and the people they allow', async () => {
    const shared = await admin.pb.collection('contacts').create({ name: 'Acme Plumbing', company: 'Acme', numbers: [{ e164: '+1 201 555 0150', label: 'office' }] });
    expect(await status(bob.pb.collection('contacts').getOne(shared.id))).toBe(200);
    expect(await status(bob.pb.collection('contacts').update(shared.id, { name: 'Nope' }))).toBe(404);
    expect(await status(bob.pb.collection('contacts').delete(shared.id))).toBe(404);
    expect(await status(bob.pb.collection('contacts').create({ name: 'Shared by Bob' }))).toBe(400);
    expect(await status(editor.pb.collection('contacts').update(shared.id, { notes: 'Ask for Sam' }))).toBe(200);
    expect(await status(editor.pb.collection('contacts').create({ name: 'From Eddie' }))).toBe(200);
    // a member cannot grant themselves the right; an admin can, and it is logged
    expect(await status(bob.pb.collection('users').update(bob.record.id, { edit_phonebook: true }))).toBe(404);
    await admin.pb.collection('users').update(carol.record.id, { edit_phonebook: true });
    expect(await status(carol.pb.collection('contacts').create({ name: 'Shared by Carol' }))).toBe(200);
    await admin.pb.collection('users').update(carol.record.id, { edit_phonebook: false });
    expect(await status(carol.pb.collection('contacts').create({ name: 'Not any more' }))).toBe(400);
    const logged = await admin.pb.collection('audit_log').getFullList({ filter: `target_id = "${carol.record.id}" && action = "user_updated"`, sort: 'created' });
    expect(logged.map((e) => e.details?.changes?.edit_phonebook)).toEqual([{ from: false, to: true }, { from: true, to: false }]);
    await admin.pb.collection('contacts').delete(shared.id);
    expect((await bob.pb.collection('contact_numbers').getList(1, 10, { filter: 'e164 = "+12015550150"' })).items).toEqual([]);
  });

  it('keeps contact_numbers in step with a contact’s numbers', async () => {
    const c = await admin.pb.collection('contacts').create({ name: 'Step', numbers: [{ e164: '+12015550161' }, { e164: '201-555-0162', label: 'home' }] });
    const rows = async () => (await bob.pb.collection('contact_numbers').getFullList({ filter: `contact = "${c.id}"`, sort: 'e164' })).map((r) => [r.e164, r.label]);
    expect(await rows()).toEqual([['+12015550161', ''], ['+12015550162', 'home']]);
    await admin.pb.collection('contacts').update(c.id, { numbers: [{ e164: '+12015550163', label: 'mobile' }] });
    expect(await rows()).toEqual([['+12015550163', 'mobile']]);
  });
});

describe('names for numbers', () => {
  it('prefers your personal contact, then the shared phonebook, then caller-name lookup', async () => {
    await admin.pb.collection('contacts').create({ name: 'Shared Sam', numbers: [{ e164: '+12015550171' }, { e164: '+12015550172' }] });
    await bob.pb.collection('contacts').create({ name: 'My Sam', owner: bob.record.id, numbers: [{ e164: '+12015550171' }] });
    await app.superuser.collection('caller_names').create({ phone: '+12015550173', name: 'SMITH J', source: 'test', fetched_at: new Date().toISOString() });
    const names = await bob.pb.send('/api/names', { method: 'POST', body: { phones: ['+12015550171', '+12015550172', '+12015550173', '+12015550174'] } });
    expect(names).toMatchObject({
      '+12015550171': { name: 'My Sam', source: 'personal' },
      '+12015550172': { name: 'Shared Sam', source: 'shared' },
      '+12015550173': { name: 'SMITH J', source: 'cnam' },
    });
    expect(names['+12015550174']).toBeUndefined();
    expect((await carol.pb.send('/api/names', { method: 'POST', body: { phones: ['+12015550171'] } }))['+12015550171']).toMatchObject({ name: 'Shared Sam', source: 'shared' });
  });

  it('relays a text to a group’s other phones under the shared contact’s name', async () => {
    const bridge = await createService(app, 'bridge');
    await admin.pb.collection('contacts').create({ name: 'Relay Rita', numbers: [{ e164: '+12015550181' }] });
    const group = await bob.pb.send('/api/conversations/group', { method: 'POST', body: { title: 'Job', members: [], phones: ['+12015550181', '+12015550182'] } });
    // the phone answers the group that texted it last
    await bob.pb.collection('messages').create({ conversation: group.id, body: 'Who is free?' });
    await bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: 'relay-1', from: '+12015550181', to: '+12015550100', body: 'On my way' } });
    const legs = await app.superuser.collection('deliveries').getFullList({ filter: `to = "+12015550182" && message.conversation = "${group.id}" && message.author_phone != ""` });
    expect(legs.map((d) => d.body)).toEqual(['Relay Rita: On my way']);
  });

  it('reaches other clients’ inboxes when a contact is renamed', async () => {
    const c = await admin.pb.collection('contacts').create({ name: 'Before', numbers: [{ e164: '+12015550191' }] });
    const inbox = await events(carol.pb, 'inbox');
    await editor.pb.collection('contacts').update(c.id, { name: 'After' });
    const e = await inbox.next((e) => e.type === 'contact' && e.contact.id === c.id);
    expect(e.contact).toMatchObject({ name: 'After', numbers: [{ e164: '+12015550191', label: '' }] });
    // a personal contact's change goes to its owner only
    const mine = await bob.pb.collection('contacts').create({ name: 'Private', owner: bob.record.id, numbers: [{ e164: '+12015550192' }] });
    await bob.pb.collection('contacts').update(mine.id, { name: 'Private 2' });
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.seen.some((e) => e.type === 'contact' && e.contact.id === mine.id)).toBe(false);
    await inbox.off();
  });
});

describe('contact search', () => {
  beforeAll(async () => {
    await admin.pb.collection('contacts').create({ name: 'Dana Shared', company: 'Northwind', numbers: [{ e164: '+14155550123', label: 'office' }] });
    await bob.pb.collection('contacts').create({ name: 'Dana Mine', owner: bob.record.id, numbers: [{ e164: '+14155550124', label: 'mobile' }] });
    // a recent correspondent: a thread Bob is in, named by caller-name lookup
    await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+14155550199' } });
    await app.superuser.collection('caller_names').create({ phone: '+14155550199', name: 'DANA CORP', source: 'test', fetched_at: new Date().toISOString() });
  });

  it.each([
    ['555 012', ['Dana Mine', 'Dana Shared']],
    ['(415)', ['Dana Mine', 'Dana Shared']],
    ['+1415555', ['Dana Mine', 'Dana Shared']],
    ['north', ['Dana Shared']],
    ['dana', ['Dana Mine', 'Dana Shared']],
  ])('finds %s in the phonebook, personal first', async (q, names) => {
    const r = await bob.pb.send(`/api/contacts/search?q=${encodeURIComponent(q)}`, {});
    expect(r.phonebook.map((h: any) => h.name)).toEqual(names);
  });

  it('ranks across three labelled sources: phonebook, directory, recent correspondents', async () => {
    const r = await bob.pb.send('/api/contacts/search?q=da', {});
    // personal first (a name that starts with the query before one that holds it), then shared
    expect(r.phonebook.map((h: any) => h.name)).toEqual(['Dana Mine', 'Zelda Secret', 'Dana Shared']);
    expect(r.recent).toMatchObject([{ e164: '+14155550199', name: 'DANA CORP', cnam: true }]);
    const colleagues = await bob.pb.send('/api/contacts/search?q=car', {});
    expect(colleagues.directory).toMatchObject([{ name: 'Carol', extension: '300' }]);
    // Ada is not on the number: Bob's recent correspondents are not hers
    expect((await admin.pb.send('/api/contacts/search?q=0199', {})).recent).toEqual([]);
  });
});

describe('one customer, one timeline', () => {
  it('lists the conversations with a phone that the caller may read, across numbers and groups', async () => {
    const thread = await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+14155550311' } });
    const group = await bob.pb.send('/api/conversations/group', { method: 'POST', body: { title: 'Kitchen job', members: [], phones: ['+14155550311'] } });
    const ids = async (pb: typeof bob.pb) =>
      (await pb.collection('participants').getFullList({ filter: 'phone = "+14155550311"', expand: 'conversation' })).map((p) => p.expand!.conversation.id).sort();
    expect(await ids(bob.pb)).toEqual([thread.id, group.id].sort());
    // Carol shares the number's thread (a shared inbox), not Bob's group; Ada neither
    expect(await ids(carol.pb)).toEqual([thread.id]);
    expect(await ids(admin.pb)).toEqual([]);
  });
});

describe('import', () => {
  it('merges duplicates by number, reads several formats and reports each rejected row', async () => {
    const rows = [
      { name: 'Ivy Import', numbers: [{ number: '(201) 555-0201', label: 'mobile' }] },
      { name: 'Ivy Again', company: 'Ivy Co', numbers: [{ number: '+1 201 555 0201' }, { number: '201.555.0202', label: 'office' }] },
      { name: 'No Number', numbers: [] },
      { name: 'Bad Number', numbers: [{ number: 'call me' }] },
      { name: 'Intl', numbers: [{ number: '+44 20 7946 0958' }] },
      { name: 'Bad Mail', email: 'nope', numbers: [{ number: '2015550203' }] },
    ];
    const preview = await carol.pb.send('/api/contacts/import', { method: 'POST', body: { rows, dry_run: true } });
    expect(preview).toEqual({
      created: 2,
      merged: 0,
      dry_run: true,
      rejected: [
        { row: 3, reason: 'No phone number.' },
        { row: 4, reason: 'A phone number has only digits, spaces and + ( ) - .' },
        { row: 6, reason: 'nope is not an e-mail address.' },
      ],
    });
    expect(await carol.pb.collection('contacts').getFullList({ filter: 'name ~ "Ivy"' })).toEqual([]);
    const done = await carol.pb.send('/api/contacts/import', { method: 'POST', body: { rows } });
    expect(done).toMatchObject({ created: 2, merged: 0, dry_run: false });
    const ivy = await carol.pb.collection('contacts').getFirstListItem('name = "Ivy Import"');
    expect(ivy).toMatchObject({ owner: carol.record.id, company: 'Ivy Co', numbers: [{ e164: '+12015550201', label: 'mobile' }, { e164: '+12015550202', label: 'office' }] });
    // importing again merges into what is there
    const again = await carol.pb.send('/api/contacts/import', { method: 'POST', body: { rows: [{ name: 'Ivy Third', numbers: [{ number: '2015550202' }, { number: '2015550204' }] }] } });
    expect(again).toMatchObject({ created: 0, merged: 1 });
    expect((await carol.pb.collection('contacts').getOne(ivy.id)).numbers).toHaveLength(3);
    // Carol's import is hers alone
    expect((await bob.pb.send('/api/contacts/search?q=ivy', {})).phonebook).toEqual([]);
  });

  it('imports vCard 3.0 and 4.0 and a CSV as the browser reads them', async () => {
    const cards = parseVcards(
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vera Three\r\nORG:Acme\r\nTEL;TYPE=CELL:(201) 555-0301\r\nEND:VCARD\r\n' +
        'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Victor Four\r\nTEL;VALUE=uri;TYPE=work:tel:+1-201-555-0401\r\nEND:VCARD\r\n' +
        'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Nobody\r\nEMAIL:n@example.com\r\nEND:VCARD\r\n',
    );
    if (!cards.ok) throw new Error(cards.error);
    expect(await carol.pb.send('/api/contacts/import', { method: 'POST', body: { rows: cards.value } })).toEqual({ created: 2, merged: 0, dry_run: false, rejected: [{ row: 3, reason: 'No phone number.' }] });
    const found = await carol.pb.collection('contacts').getFullList({ filter: 'name = "Vera Three" || name = "Victor Four"', sort: 'name' });
    expect(found.map((c) => [c.name, c.company, c.numbers])).toEqual([
      ['Vera Three', 'Acme', [{ e164: '+12015550301', label: 'mobile' }]],
      ['Victor Four', '', [{ e164: '+12015550401', label: 'office' }]],
    ]);
    const csv = parseCsv('First Name,Last Name,Mobile,Notes\nVera,Again,+1 (201) 555-0301,met at the fair\n');
    if (!csv.ok) throw new Error(csv.error);
    expect(await carol.pb.send('/api/contacts/import', { method: 'POST', body: { rows: rowsFromCsv(csv.value, csv.value.headers.map(guessColumn)) } })).toMatchObject({ created: 0, merged: 1 });
    expect((await carol.pb.collection('contacts').getFirstListItem('name = "Vera Three"')).notes).toBe('met at the fair');
  });

  it('puts rows in the shared phonebook only for its editors', async () => {
    const rows = [{ name: 'Shared Import', numbers: [{ number: '2015550211' }] }];
    const err = await bob.pb.send('/api/contacts/import', { method: 'POST', body: { rows, shared: true } }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.response.data.shared.message).toMatch(/Only administrators/);
    expect(await editor.pb.send('/api/contacts/import', { method: 'POST', body: { rows, shared: true } })).toMatchObject({ created: 1 });
    expect((await bob.pb.send('/api/contacts/search?q=shared import', {})).phonebook).toMatchObject([{ name: 'Shared Import', personal: false }]);
  });
});

it('has a business number for the thread tests', () => expect(numberId).toBeTruthy());
