// Message templates against the real PocketBase: shared ones made by admins
// and read by everyone, personal ones private to their owner (admins
// included), every refusal a sentence on its field, and the merge values of
// a phone as the caller sees its contact (personal first, then shared).
// docs/templates.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

let app: Appliance;
let admin: SignedIn, bob: SignedIn, carol: SignedIn, bridge: SignedIn;
let shared: RecordModel, bobs: RecordModel;

beforeAll(async () => {
  app = await startAppliance();
  admin = await createUser(app, { name: 'Alice Admin', extension: '100', role: 'admin' });
  bob = await createUser(app, { name: 'Bob Baker', extension: '200' });
  carol = await createUser(app, { name: 'Carol', extension: '300' });
  bridge = await createService(app, 'bridge');
  shared = await admin.pb.collection('templates').create({ name: ' Order   ready ', body: 'Hi {first_name|there}, your order is ready. {my_name}' });
  bobs = await bob.pb.collection('templates').create({ name: 'My sign-off', body: 'Thanks {first_name}! Bob', owner: bob.record.id });
});
afterAll(() => app?.stop());

/** refusal is a failed request's status, message and field messages. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string; fields: Record<string, string> }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ClientResponseError)) throw err;
    const data = (err.response?.data ?? {}) as Record<string, { message: string }>;
    return { status: err.status, message: err.response?.message ?? '', fields: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.message])) };
  }
  throw new Error('expected a refusal');
}

const ids = async (who: SignedIn) => (await who.pb.collection('templates').getFullList({ sort: 'name' })).map((t) => t.name);

describe('who sees and edits templates', () => {
  it('stores the name cleaned', () => {
    expect(shared).toMatchObject({ name: 'Order ready', owner: '' });
  });

  it('lets every user read the shared templates and only their own personal ones', async () => {
    expect(await ids(bob)).toEqual(['My sign-off', 'Order ready']);
    expect(await ids(carol)).toEqual(['Order ready']);
    // admins included: a personal template is its owner's alone
    expect(await ids(admin)).toEqual(['Order ready']);
    expect((await refusal(admin.pb.collection('templates').getOne(bobs.id))).status).toBe(404);
    expect((await refusal(carol.pb.collection('templates').update(bobs.id, { body: 'x' }))).status).toBe(404);
    expect((await carol.pb.collection('templates').getList(1, 10, { filter: 'body ~ "Bob"' })).items).toEqual([]);
  });

  it('keeps shared templates to admins for making, changing and removing', async () => {
    expect((await refusal(bob.pb.collection('templates').create({ name: 'Mine to share', body: 'Hello' }))).status).toBe(400);
    expect((await refusal(bob.pb.collection('templates').update(shared.id, { body: 'changed' }))).status).toBe(404);
    expect((await refusal(bob.pb.collection('templates').delete(shared.id))).status).toBe(404);
    const changed = await admin.pb.collection('templates').update(shared.id, { body: 'Hi {first_name|there}, your order is ready to collect. {my_name}' });
    expect(changed.body).toContain('ready to collect');
  });

  it('refuses a template made for someone else, or moved between the lists', async () => {
    expect((await refusal(admin.pb.collection('templates').create({ name: 'For Bob', body: 'Hello', owner: bob.record.id }))).status).toBe(400);
    expect((await refusal(bridge.pb.collection('templates').create({ name: 'Bridge', body: 'Hello' }))).status).toBe(400);
    expect((await refusal(bob.pb.collection('templates').update(bobs.id, { owner: '' }))).status).toBe(404);
    expect((await refusal(admin.pb.collection('templates').update(shared.id, { owner: admin.record.id }))).status).toBe(404);
    expect(await ids(carol)).toEqual(['Order ready']);
    expect(await ids(bob)).toEqual(['My sign-off', 'Order ready']);
  });
});

// the rules matrix (rules.test.ts) holds a personal template; this is the
// same table for a shared one: every user reads it, admins alone change it
describe('shared templates by role', () => {
  type Op = 'list' | 'view' | 'create' | 'update' | 'delete';
  const TABLE: Record<Op, (string | number)[]> = {
    // anonymous, member, other member, admin, service
    list: ['hidden', 'sees', 'sees', 'sees', 'hidden'],
    view: [404, 200, 200, 200, 404],
    create: [400, 400, 400, 200, 400],
    update: [404, 404, 404, 200, 404],
    delete: [404, 404, 404, 204, 404],
  };
  let seq = 0;
  const who = () => [app.client(), bob.pb, carol.pb, admin.pb, bridge.pb];
  const fresh = async () => (await app.superuser.collection('templates').create({ name: `Shared ${++seq}`, body: 'Hello {first_name|there}' })).id;
  const attempt = async (pb: SignedIn['pb'], op: Op): Promise<string | number> => {
    const records = pb.collection('templates');
    try {
      if (op === 'list') return (await records.getFullList()).some((t) => t.id === shared.id) ? 'sees' : 'hidden';
      if (op === 'view') await records.getOne(shared.id);
      if (op === 'create') await records.create({ name: `Made ${++seq}`, body: 'Hi' });
      if (op === 'update') await records.update(shared.id, { body: 'Hi {first_name|there}, your order is ready. {my_name}' });
      if (op === 'delete') return await records.delete(await fresh()).then(() => 204);
      return 200;
    } catch (err) {
      if (err instanceof ClientResponseError) return err.status;
      throw err;
    }
  };
  for (const [op, outcomes] of Object.entries(TABLE) as [Op, (string | number)[]][]) {
    ['anonymous', 'member', 'other member', 'admin', 'service'].forEach((role, i) => {
      it(`${op} by ${role} → ${outcomes[i]}`, async () => expect(await attempt(who()[i], op)).toBe(outcomes[i]));
    });
  }
});

describe('what a template may hold', () => {
  it.each([
    [{ name: '', body: 'Hello' }, 'name', 'Give the template a name.'],
    [{ name: 'x'.repeat(81), body: 'Hello' }, 'name', 'A template name is at most 80 characters; this one has 81.'],
    [{ name: 'Empty', body: ' ' }, 'body', 'Write the text of the template.'],
    [{ name: 'Typo', body: 'Hi {frist_name}' }, 'body', '{frist_name} is not a merge field. The merge fields are {first_name}, {last_name}, {name}, {company}, {my_name}; to write a brace itself, type it twice ({{ or }}).'],
    [{ name: 'Bar', body: 'Hi {first_name|}' }, 'body', '{first_name|} has an empty fallback: write one after the bar ({first_name|there}) or leave the bar out.'],
    [{ name: 'Long', body: 'x'.repeat(1501) }, 'body', 'A template is at most 1500 characters; this one has 1501.'],
    [{ name: 'Emoji', body: '🎉'.repeat(400) }, 'body', 'This template would be sent as 13 SMS (UCS-2); the limit is 10. Shorten it.'],
    [{ name: 'My sign-off', body: 'Another' }, 'name', 'You already have a template named “My sign-off”.'],
  ])('refuses %j on %s with a sentence', async (input, field, sentence) => {
    const r = await refusal(bob.pb.collection('templates').create({ ...input, owner: bob.record.id }));
    expect(r.status).toBe(400);
    expect(r.fields[field]).toBe(sentence);
  });

  it('refuses a second shared template of the same name in any case, and checks updates too', async () => {
    const r = await refusal(admin.pb.collection('templates').create({ name: 'order READY', body: 'Hello' }));
    expect(r.fields.name).toBe('There is already a shared template named “order READY”.');
    const other = await bob.pb.collection('templates').create({ name: 'Other', body: 'Hello', owner: bob.record.id });
    expect((await refusal(bob.pb.collection('templates').update(other.id, { body: 'Hi {company|} ' }))).fields.body).toBe(
      '{company|} has an empty fallback: write one after the bar ({company|there}) or leave the bar out.',
    );
  });

  it('lets two people each have a template of the same name', async () => {
    const carols = await carol.pb.collection('templates').create({ name: 'My sign-off', body: 'Thanks, Carol', owner: carol.record.id });
    expect(carols.name).toBe('My sign-off');
  });
});

describe('merge values of a phone', () => {
  beforeAll(async () => {
    await admin.pb.collection('contacts').create({ name: 'Dana Scully', company: 'FBI', numbers: [{ number: '+12015550150', label: 'mobile' }] });
    // Bob's own name for the same phone wins for Bob, as in his inbox
    await bob.pb.collection('contacts').create({ name: 'Dee Dee', company: '', owner: bob.record.id, numbers: [{ number: '+12015550150', label: 'mobile' }] });
  });

  const fields = (who: SignedIn, phone: string) => who.pb.send(`/api/templates/fields?phone=${encodeURIComponent(phone)}`, {});

  it('reads the shared contact for a phone', async () => {
    const answer = await fields(carol, '+12015550150');
    expect(answer.values).toEqual({ first_name: 'Dana', last_name: 'Scully', name: 'Dana Scully', company: 'FBI', my_name: 'Carol' });
    expect(answer.contact).toMatchObject({ name: 'Dana Scully', source: 'shared' });
  });

  it('prefers the caller’s personal contact, and no one else sees it', async () => {
    expect((await fields(bob, '+12015550150')).values).toMatchObject({ first_name: 'Dee', last_name: 'Dee', company: '', my_name: 'Bob Baker' });
    expect((await fields(bob, '+12015550150')).contact).toMatchObject({ source: 'personal' });
    expect((await fields(admin, '+12015550150')).values.first_name).toBe('Dana');
  });

  it('answers the sender alone for an unknown phone or no phone, and refuses a malformed one', async () => {
    expect(await fields(carol, '+12015550999')).toEqual({ values: { first_name: '', last_name: '', name: '', company: '', my_name: 'Carol' }, contact: null });
    expect((await fields(carol, '')).contact).toBeNull();
    expect((await refusal(fields(carol, '555-0150'))).fields.phone).toBe('Give the phone in E.164 (+…), or none for a chat.');
  });
});
