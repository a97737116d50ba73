// The API rules matrix: every collection × caller × operation, each expected
// answer written out. A "member" acts on records that are theirs (their
// account, their conversation); "other member" is a colleague acting on the
// same records; the admin is not in the conversation either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance } from '../helpers/appliance';

type Role = 'anonymous' | 'member' | 'other member' | 'admin' | 'service';
type Op = 'list' | 'view' | 'create' | 'update' | 'delete';
/** 'sees': the list contains the target; 'hidden': the list answers without it; numbers: HTTP status. */
type Outcome = 'sees' | 'hidden' | number;
const ROLES: Role[] = ['anonymous', 'member', 'other member', 'admin', 'service'];

// columns follow ROLES: anonymous, member, other member, admin, service
const MATRIX: Record<string, Record<Op, Outcome[]>> = {
  users: {
    list: ['hidden', 'sees', 'sees', 'sees', 'hidden'],
    view: [404, 200, 200, 200, 404],
    create: [400, 400, 400, 200, 400],
    update: [404, 200, 404, 200, 404],
    delete: [403, 403, 403, 403, 403],
  },
  services: {
    list: ['hidden', 'hidden', 'hidden', 'hidden', 'sees'],
    view: [404, 404, 404, 404, 200],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  numbers: {
    list: ['hidden', 'sees', 'sees', 'sees', 'sees'],
    view: [404, 200, 200, 200, 200],
    create: [400, 400, 400, 200, 400],
    update: [404, 404, 404, 200, 404],
    delete: [404, 404, 404, 204, 404],
  },
  conversations: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'hidden'],
    view: [404, 200, 404, 404, 404],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  participants: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'hidden'],
    view: [404, 200, 404, 404, 404],
    create: [403, 403, 403, 403, 403],
    update: [404, 200, 404, 404, 404],
    delete: [403, 403, 403, 403, 403],
  },
  messages: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'hidden'],
    view: [404, 200, 404, 404, 404],
    create: [400, 200, 400, 400, 400],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  smsc_links: {
    list: ['hidden', 'hidden', 'hidden', 'sees', 'sees'],
    view: [404, 404, 404, 200, 200],
    create: [400, 400, 400, 200, 400],
    update: [404, 404, 404, 200, 200],
    delete: [404, 404, 404, 204, 404],
  },
  deliveries: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'sees'],
    view: [404, 200, 404, 404, 200],
    create: [403, 403, 403, 403, 403],
    update: [404, 404, 404, 404, 200],
    delete: [403, 403, 403, 403, 403],
  },
  inbound_log: {
    list: ['hidden', 'hidden', 'hidden', 'sees', 'hidden'],
    view: [404, 404, 404, 200, 404],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  opt_outs: {
    list: ['hidden', 'hidden', 'hidden', 'sees', 'sees'],
    view: [404, 404, 404, 200, 200],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  audit_log: {
    list: ['hidden', 'hidden', 'hidden', 'sees', 'hidden'],
    view: [404, 404, 404, 200, 404],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  queues: {
    list: ['hidden', 'sees', 'hidden', 'sees', 'hidden'],
    view: [404, 200, 404, 200, 404],
    create: [400, 400, 400, 200, 400],
    update: [404, 404, 404, 200, 404],
    delete: [403, 403, 403, 403, 403],
  },
  queue_logins: {
    list: ['hidden', 'sees', 'hidden', 'sees', 'hidden'],
    view: [404, 200, 404, 200, 404],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  // the member's personal contact: nobody else, admins included, sees it
  contacts: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'hidden'],
    view: [404, 200, 404, 404, 404],
    create: [400, 200, 400, 400, 400],
    update: [404, 200, 404, 404, 404],
    delete: [404, 204, 404, 404, 404],
  },
  contact_numbers: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'hidden'],
    view: [404, 200, 404, 404, 404],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  caller_names: {
    list: ['hidden', 'sees', 'sees', 'sees', 'sees'],
    view: [404, 200, 200, 200, 200],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  // originals (with a photo's GPS position) are read by the media worker alone
  uploads: {
    list: ['hidden', 'hidden', 'hidden', 'hidden', 'sees'],
    view: [404, 404, 404, 404, 200],
    create: [400, 200, 400, 400, 400],
    update: [403, 403, 403, 403, 403],
    delete: [404, 404, 404, 404, 204],
  },
  attachments: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'sees'],
    view: [404, 200, 404, 404, 200],
    create: [403, 403, 403, 403, 403],
    update: [404, 404, 404, 404, 200],
    delete: [403, 403, 403, 403, 403],
  },
  // the bridge reads webhook secrets to sign calls; the key hash is hidden from everyone
  integrations: {
    list: ['hidden', 'hidden', 'hidden', 'sees', 'sees'],
    view: [404, 404, 404, 200, 200],
    create: [403, 403, 403, 403, 403],
    update: [404, 404, 404, 200, 404],
    delete: [403, 403, 403, 403, 403],
  },
  webhook_calls: {
    list: ['hidden', 'hidden', 'hidden', 'sees', 'sees'],
    view: [404, 404, 404, 200, 200],
    create: [403, 403, 403, 403, 403],
    update: [404, 404, 404, 404, 200],
    delete: [403, 403, 403, 403, 403],
  },
  keyword_replies: {
    list: ['hidden', 'hidden', 'hidden', 'sees', 'hidden'],
    view: [404, 404, 404, 200, 404],
    create: [400, 400, 400, 200, 400],
    update: [404, 404, 404, 200, 404],
    delete: [404, 404, 404, 204, 404],
  },
  // the member's personal template: nobody else, admins included, sees it
  // (shared templates: tests/integration/templates.test.ts, "shared templates by role")
  templates: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'hidden'],
    view: [404, 200, 404, 404, 404],
    create: [400, 200, 400, 400, 400],
    update: [404, 200, 404, 404, 404],
    delete: [404, 204, 404, 404, 404],
  },
  // like messages: the conversation's members read them and schedule; cancelling is a route
  scheduled_messages: {
    list: ['hidden', 'sees', 'hidden', 'hidden', 'hidden'],
    view: [404, 200, 404, 404, 404],
    create: [400, 200, 400, 400, 400],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  // the shared phonebook's groups: read by every user, edited by phonebook editors
  contact_groups: {
    list: ['hidden', 'sees', 'sees', 'sees', 'hidden'],
    view: [404, 200, 200, 200, 404],
    create: [400, 400, 400, 200, 400],
    update: [404, 404, 404, 200, 404],
    delete: [404, 404, 404, 204, 404],
  },
  // seen by admins and by those allowed on the broadcast's number (the member); written by the hooks only
  broadcasts: {
    list: ['hidden', 'sees', 'hidden', 'sees', 'hidden'],
    view: [404, 200, 404, 200, 404],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  broadcast_recipients: {
    list: ['hidden', 'sees', 'hidden', 'sees', 'hidden'],
    view: [404, 200, 404, 200, 404],
    create: [403, 403, 403, 403, 403],
    update: [403, 403, 403, 403, 403],
    delete: [403, 403, 403, 403, 403],
  },
  settings: {
    list: ['hidden', 'sees', 'sees', 'sees', 'sees'],
    view: [404, 200, 200, 200, 200],
    create: [403, 403, 403, 403, 403],
    update: [404, 404, 404, 200, 404],
    delete: [403, 403, 403, 403, 403],
  },
};

interface Fixture {
  /** target is the record that view, update and list look for. */
  target: string;
  createBody(): Record<string, unknown>;
  updateBody: Record<string, unknown>;
  /** disposable makes a fresh record for a delete attempt. */
  disposable(): Promise<string>;
}

let app: Appliance;
const clients = {} as Record<Role, PocketBase>;
const fixtures = {} as Record<string, Fixture>;
let seq = 0;
let publicToken = '';
let bobsScheduled = '';

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  const alice = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
  const bob = await createUser(app, { name: 'Bob', extension: '200' });
  const carol = await createUser(app, { name: 'Carol', extension: '300' });
  const dave = await createUser(app, { name: 'Dave', extension: '400' });
  const service = await createService(app, 'bridge');
  Object.assign(clients, { anonymous: app.client(), member: bob.pb, 'other member': carol.pb, admin: alice.pb, service: service.pb });

  const number = await su.collection('numbers').create({ e164: '+15550000001', label: 'Main', sms_enabled: true, mode: 'direct' });
  const conversation = async () => {
    const c = await su.collection('conversations').create({ kind: 'direct', members: [bob.record.id, dave.record.id] });
    const p = await su.collection('participants').create({ conversation: c.id, user: bob.record.id });
    await su.collection('participants').create({ conversation: c.id, user: dave.record.id });
    return { c, p };
  };
  const { c, p } = await conversation();
  const message = await su.collection('messages').create({ conversation: c.id, author: dave.record.id, body: 'hello Bob', kind: 'text' });
  const settings = await su.collection('settings').getFirstListItem('');
  const newLink = () => ({ name: `Link ${++seq}`, host: '127.0.0.1', port: 2775, system_id: 'esme', bind: 'trx' });
  const link = await su.collection('smsc_links').create(newLink());
  const newDelivery = () => ({ message: message.id, to: '+12015550123', from: '+15550000001', body: 'hello', status: 'queued' });
  const delivery = await su.collection('deliveries').create(newDelivery());
  const newInbound = () => ({ dedupe_key: `k${++seq}`, from: '+12015550123', to: '+15550000001', body: 'hi' });
  const inbound = await su.collection('inbound_log').create(newInbound());

  const newUser = () => {
    const n = ++seq;
    return { name: `New ${n}`, extension: `9${String(n).padStart(3, '0')}`, email: `new${n}@test.local`, password: 'new-password-1', passwordConfirm: 'new-password-1' };
  };
  const newService = () => {
    const n = ++seq;
    return { name: `svc${n}`, email: `svc${n}@services.local`, password: 'svc-password-1', passwordConfirm: 'svc-password-1' };
  };
  const newNumber = () => ({ e164: `+1555100${String(++seq).padStart(4, '0')}`, label: 'Extra' });

  fixtures.users = {
    target: bob.record.id,
    createBody: newUser,
    updateBody: { name: 'Bob B.' },
    disposable: async () => (await su.collection('users').create({ ...newUser(), role: 'member' })).id,
  };
  fixtures.services = {
    target: service.record.id,
    createBody: newService,
    updateBody: { name: 'renamed' },
    disposable: async () => (await su.collection('services').create(newService())).id,
  };
  fixtures.numbers = {
    target: number.id,
    createBody: newNumber,
    updateBody: { label: 'Front desk' },
    disposable: async () => (await su.collection('numbers').create(newNumber())).id,
  };
  fixtures.conversations = {
    target: c.id,
    createBody: () => ({ kind: 'group', title: 'Mine', members: [bob.record.id] }),
    updateBody: { title: 'Renamed' },
    disposable: async () => (await conversation()).c.id,
  };
  fixtures.participants = {
    target: p.id,
    createBody: () => ({ conversation: c.id, user: carol.record.id }),
    updateBody: { muted: true },
    disposable: async () => (await conversation()).p.id,
  };
  fixtures.messages = {
    target: message.id,
    createBody: () => ({ conversation: c.id, body: `hi ${++seq}` }),
    updateBody: { body: 'edited' },
    disposable: async () => (await su.collection('messages').create({ conversation: c.id, author: dave.record.id, body: 'x', kind: 'text' })).id,
  };
  fixtures.smsc_links = {
    target: link.id,
    createBody: newLink,
    updateBody: { state: 'bound', last_error: '' },
    disposable: async () => (await su.collection('smsc_links').create(newLink())).id,
  };
  fixtures.deliveries = {
    target: delivery.id,
    createBody: newDelivery,
    updateBody: { status: 'sent', smsc_ids: ['abc'] },
    disposable: async () => (await su.collection('deliveries').create(newDelivery())).id,
  };
  fixtures.inbound_log = {
    target: inbound.id,
    createBody: newInbound,
    updateBody: { body: 'changed' },
    disposable: async () => (await su.collection('inbound_log').create(newInbound())).id,
  };
  const newOptOut = () => ({ phone: `+1201555${String(++seq).padStart(4, '0')}`, our_number: number.id, keyword: 'STOP' });
  const optOut = await su.collection('opt_outs').create(newOptOut());
  fixtures.opt_outs = {
    target: optOut.id,
    createBody: newOptOut,
    updateBody: { keyword: 'QUIT' },
    disposable: async () => (await su.collection('opt_outs').create(newOptOut())).id,
  };
  // entries are written by the hooks; a superuser's own row serves the matrix
  const newAuditEntry = () => ({ action: 'password_reset', actor_name: `fixture ${++seq}`, target_collection: 'users', target_id: bob.record.id });
  const auditEntry = await su.collection('audit_log').create(newAuditEntry());
  fixtures.audit_log = {
    target: auditEntry.id,
    createBody: newAuditEntry,
    updateBody: { action: 'nothing' },
    disposable: async () => (await su.collection('audit_log').create(newAuditEntry())).id,
  };
  // Bob is the queue's agent; Carol and the admin are not
  const newQueue = () => ({ name: `Queue ${++seq}`, members: [bob.record.id] });
  const queue = await su.collection('queues').create(newQueue());
  fixtures.queues = {
    target: queue.id,
    createBody: newQueue,
    updateBody: { greeting: 'Hello' },
    disposable: async () => (await su.collection('queues').create(newQueue())).id,
  };
  const queueLogin = await su.collection('queue_logins').create({ queue: queue.id, user: bob.record.id, active: false });
  fixtures.queue_logins = {
    target: queueLogin.id,
    createBody: () => ({ queue: queue.id, user: carol.record.id, active: true }),
    updateBody: { active: true },
    disposable: async () => (await su.collection('queue_logins').create({ queue: (await su.collection('queues').create(newQueue())).id, user: bob.record.id })).id,
  };
  const newContact = () => ({ name: `Customer ${++seq}`, owner: bob.record.id, numbers: [{ e164: `+1201555${String(seq).padStart(4, '0')}`, label: 'mobile' }] });
  const contact = await su.collection('contacts').create(newContact());
  fixtures.contacts = {
    target: contact.id,
    createBody: newContact,
    updateBody: { notes: 'prefers texts' },
    disposable: async () => (await su.collection('contacts').create(newContact())).id,
  };
  const contactNumber = await su.collection('contact_numbers').getFirstListItem(`contact = "${contact.id}"`);
  fixtures.contact_numbers = {
    target: contactNumber.id,
    createBody: () => ({ contact: contact.id, owner: bob.record.id, e164: '+12015550999' }),
    updateBody: { e164: '+12015550998' },
    disposable: async () => (await su.collection('contact_numbers').create({ contact: contact.id, owner: bob.record.id, e164: '+12015550997' })).id,
  };
  const newCallerName = () => ({ phone: `+1202555${String(++seq).padStart(4, '0')}`, name: 'WIRELESS CALLER', source: 'test' });
  const callerName = await su.collection('caller_names').create(newCallerName());
  fixtures.caller_names = {
    target: callerName.id,
    createBody: newCallerName,
    updateBody: { name: 'Changed' },
    disposable: async () => (await su.collection('caller_names').create(newCallerName())).id,
  };
  const newUpload = () => ({ conversation: c.id, client_key: `k${++seq}`, position: 0, file: new File(['hello'], 'note.txt', { type: 'text/plain' }) });
  const upload = await su.collection('uploads').create({ ...newUpload(), uploader: dave.record.id });
  fixtures.uploads = {
    target: upload.id,
    createBody: newUpload,
    updateBody: { name: 'renamed.txt' },
    disposable: async () => (await su.collection('uploads').create({ ...newUpload(), uploader: dave.record.id })).id,
  };
  const newAttachment = () => ({
    message: message.id,
    conversation: c.id,
    name: 'note.txt',
    type: 'text/plain',
    status: 'ready',
    file: new File(['hello'], 'note.txt', { type: 'text/plain' }),
    public_token: `Tok${String(++seq).padStart(19, '0')}`,
    public_expires: '2099-01-01 00:00:00.000Z',
  });
  const attachment = await su.collection('attachments').create(newAttachment());
  fixtures.attachments = {
    target: attachment.id,
    createBody: newAttachment,
    updateBody: { width: 10, height: 10 },
    disposable: async () => (await su.collection('attachments').create(newAttachment())).id,
  };
  publicToken = attachment.public_token;
  const newIntegration = () => ({ name: `Integration ${++seq}`, numbers: [number.id], scope_send: true, rate_per_minute: 60 });
  const integration = await su.collection('integrations').create(newIntegration());
  fixtures.integrations = {
    target: integration.id,
    createBody: newIntegration,
    updateBody: { name: 'Renamed integration' },
    disposable: async () => (await su.collection('integrations').create(newIntegration())).id,
  };
  const newCall = () => ({ integration: integration.id, event: 'sms.inbound', url: 'https://example.com/hook', payload: { n: ++seq }, status: 'pending', attempts: 0 });
  const call = await su.collection('webhook_calls').create(newCall());
  fixtures.webhook_calls = {
    target: call.id,
    createBody: newCall,
    updateBody: { status: 'done', attempts: 1, last_status_code: 200 },
    disposable: async () => (await su.collection('webhook_calls').create(newCall())).id,
  };
  const newKeywordReply = () => ({ our_number: number.id, keyword: `KW${++seq}`, reply: 'Open 9 to 5.' });
  const keywordReply = await su.collection('keyword_replies').create(newKeywordReply());
  fixtures.keyword_replies = {
    target: keywordReply.id,
    createBody: newKeywordReply,
    updateBody: { reply: 'Open 10 to 4.' },
    disposable: async () => (await su.collection('keyword_replies').create(newKeywordReply())).id,
  };
  const newTemplate = () => ({ name: `Template ${++seq}`, body: 'Hi {first_name|there}', owner: bob.record.id });
  const template = await su.collection('templates').create(newTemplate());
  fixtures.templates = {
    target: template.id,
    createBody: newTemplate,
    updateBody: { body: 'Hello {first_name|there}' },
    disposable: async () => (await su.collection('templates').create(newTemplate())).id,
  };
  // Dave's scheduled text in the chat with Bob, and one of Bob's own
  const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
  const newScheduled = (author: string) => ({ conversation: c.id, author, body: `later ${++seq}`, send_at: inAnHour(), state: 'scheduled', message: `msg${String(++seq).padStart(12, '0')}` });
  const scheduled = await su.collection('scheduled_messages').create(newScheduled(dave.record.id));
  fixtures.scheduled_messages = {
    target: scheduled.id,
    createBody: () => ({ conversation: c.id, body: `later ${++seq}`, send_at: inAnHour() }),
    updateBody: { state: 'cancelled' },
    disposable: async () => (await su.collection('scheduled_messages').create(newScheduled(dave.record.id))).id,
  };
  bobsScheduled = (await su.collection('scheduled_messages').create(newScheduled(bob.record.id))).id;
  const newGroup = () => ({ name: `Group ${++seq}` });
  const group = await su.collection('contact_groups').create(newGroup());
  fixtures.contact_groups = {
    target: group.id,
    createBody: newGroup,
    updateBody: { name: `Renamed group ${++seq}` },
    disposable: async () => (await su.collection('contact_groups').create(newGroup())).id,
  };
  // Bob is allowed on a number with SMS off (so no route of his can text from it)
  const quiet = await su.collection('numbers').create({ e164: '+15550000002', label: 'Quiet', sms_enabled: false, mode: 'direct' });
  await su.collection('users').update(bob.record.id, { sms_numbers: [quiet.id] });
  const newBroadcast = () => ({ our_number: quiet.id, body: 'Sale', source: 'list', status: 'done', total: 1, cap: 60, created_by: bob.record.id });
  const broadcast = await su.collection('broadcasts').create(newBroadcast());
  fixtures.broadcasts = {
    target: broadcast.id,
    createBody: newBroadcast,
    updateBody: { status: 'running' },
    disposable: async () => (await su.collection('broadcasts').create(newBroadcast())).id,
  };
  const newRecipient = () => ({ broadcast: broadcast.id, phone: `+1203555${String(++seq).padStart(4, '0')}`, status: 'pending' });
  const recipient = await su.collection('broadcast_recipients').create(newRecipient());
  fixtures.broadcast_recipients = {
    target: recipient.id,
    createBody: newRecipient,
    updateBody: { status: 'sent' },
    disposable: async () => (await su.collection('broadcast_recipients').create(newRecipient())).id,
  };
  fixtures.settings = {
    target: settings.id,
    createBody: () => ({ alert_tone: 'ping', default_country: 'GB' }),
    updateBody: { alert_tone: 'bell' },
    disposable: async () => (await su.collection('settings').create({ alert_tone: 'ping', default_country: 'GB' })).id,
  };
});

afterAll(() => app?.stop());

async function attempt(pb: PocketBase, collection: string, op: Op): Promise<Outcome> {
  const f = fixtures[collection];
  const records = pb.collection(collection);
  try {
    switch (op) {
      case 'list': {
        const items = await records.getFullList({ batch: 500 });
        return items.some((r) => r.id === f.target) ? 'sees' : 'hidden';
      }
      case 'view':
        await records.getOne(f.target);
        return 200;
      case 'create':
        await records.create(f.createBody());
        return 200;
      case 'update':
        await records.update(f.target, f.updateBody);
        return 200;
      case 'delete':
        await records.delete(await f.disposable());
        return 204;
    }
  } catch (err) {
    if (err instanceof ClientResponseError) return err.status;
    throw err;
  }
}

for (const [collection, ops] of Object.entries(MATRIX)) {
  describe(collection, () => {
    for (const [op, outcomes] of Object.entries(ops) as [Op, Outcome[]][]) {
      ROLES.forEach((role, i) => {
        it(`${op} by ${role} → ${outcomes[i]}`, async () => {
          expect(await attempt(clients[role], collection, op)).toBe(outcomes[i]);
        });
      });
    }
  });
}

// The custom routes, by caller: each row's statuses follow ROLES. "member"
// is in the conversation `c` (a direct chat with Dave), the others are not.
type RouteCase = { name: string; call: (pb: PocketBase) => Promise<unknown>; expected: number[] };
const ROUTES: RouteCase[] = [
  { name: 'GET /api/setup', call: (pb) => pb.send('/api/setup', {}), expected: [200, 200, 200, 200, 200] },
  { name: 'POST /api/setup/admin (users exist)', call: (pb) => pb.send('/api/setup/admin', { method: 'POST', body: { name: 'X', extension: '999', email: 'x@test.local', password: 'pw-12345678', passwordConfirm: 'pw-12345678' } }), expected: [409, 409, 409, 409, 409] },
  { name: 'GET /api/unread', call: (pb) => pb.send('/api/unread', {}), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/conversations/{id}/typing', call: (pb) => pb.send(`/api/conversations/${fixtures.conversations.target}/typing`, { method: 'POST' }), expected: [401, 204, 404, 404, 403] },
  { name: 'POST /api/conversations/{id}/title', call: (pb) => pb.send(`/api/conversations/${fixtures.conversations.target}/title`, { method: 'POST', body: { title: 'x' } }), expected: [401, 400, 404, 404, 403] },
  { name: 'POST /api/conversations/{id}/members', call: (pb) => pb.send(`/api/conversations/${fixtures.conversations.target}/members`, { method: 'POST', body: { users: [] } }), expected: [401, 400, 404, 404, 403] },
  { name: 'DELETE /api/conversations/{id}/members/{user}', call: (pb) => pb.send(`/api/conversations/${fixtures.conversations.target}/members/${fixtures.users.target}`, { method: 'DELETE' }), expected: [401, 400, 404, 404, 403] },
  { name: 'POST /api/conversations/{id}/phones', call: (pb) => pb.send(`/api/conversations/${fixtures.conversations.target}/phones`, { method: 'POST', body: { phone: '+12015550199' } }), expected: [401, 400, 404, 404, 403] },
  { name: 'POST /api/conversations/sms (no number allowed)', call: (pb) => pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } }), expected: [401, 400, 400, 400, 403] },
  { name: 'POST /api/deliveries/{id}/retry', call: (pb) => pb.send(`/api/deliveries/${fixtures.deliveries.target}/retry`, { method: 'POST' }), expected: [401, 400, 404, 404, 403] },
  { name: 'GET /api/me/notices', call: (pb) => pb.send('/api/me/notices', {}), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/me/notices/ack', call: (pb) => pb.send('/api/me/notices/ack', { method: 'POST' }), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/conversations/{id}/leave', call: (pb) => pb.send(`/api/conversations/${fixtures.conversations.target}/leave`, { method: 'POST' }), expected: [401, 400, 404, 404, 403] },
  { name: 'GET /api/appliance/backups', call: (pb) => pb.send('/api/appliance/backups', {}), expected: [401, 403, 403, 200, 403] },
  { name: 'POST /api/smsc_links/test (answers what went wrong)', call: (pb) => pb.send('/api/smsc_links/test', { method: 'POST', body: {} }), expected: [401, 403, 403, 200, 403] },
  { name: 'GET /api/queues/mine', call: (pb) => pb.send('/api/queues/mine', {}), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/queue/sweep', call: (pb) => pb.send('/api/queue/sweep', { method: 'POST' }), expected: [401, 403, 403, 200, 403] },
  { name: 'POST /api/queue/{queue}/login', call: (pb) => pb.send(`/api/queue/${fixtures.queues.target}/login`, { method: 'POST' }), expected: [401, 200, 403, 403, 403] },
  { name: 'POST /api/queue/{queue}/logout', call: (pb) => pb.send(`/api/queue/${fixtures.queues.target}/logout`, { method: 'POST' }), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/queue/{conversation}/claim (not a queue conversation)', call: (pb) => pb.send(`/api/queue/${fixtures.conversations.target}/claim`, { method: 'POST' }), expected: [401, 400, 404, 404, 403] },
  { name: 'POST /api/queue/{conversation}/close (not a queue conversation)', call: (pb) => pb.send(`/api/queue/${fixtures.conversations.target}/close`, { method: 'POST' }), expected: [401, 400, 404, 404, 403] },
  { name: 'POST /api/names', call: (pb) => pb.send('/api/names', { method: 'POST', body: { phones: ['+12015550123'] } }), expected: [401, 200, 200, 200, 403] },
  { name: 'GET /api/search', call: (pb) => pb.send('/api/search?q=hello', {}), expected: [401, 200, 200, 200, 403] },
  { name: 'GET /api/search (only quotes and operators)', call: (pb) => pb.send('/api/search?q=%22%20AND%20%22', {}), expected: [401, 400, 400, 400, 403] },
  { name: 'GET /api/contacts/search', call: (pb) => pb.send('/api/contacts/search?q=Customer', {}), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/contacts/import (shared)', call: (pb) => pb.send('/api/contacts/import', { method: 'POST', body: { shared: true, dry_run: true, rows: [{ name: 'X', numbers: ['+12015550177'] }] } }), expected: [401, 400, 400, 200, 403] },
  { name: 'GET /api/caller-names/provider', call: (pb) => pb.send('/api/caller-names/provider', {}), expected: [401, 403, 403, 200, 403] },
  { name: 'POST /api/caller-names/provider (off)', call: (pb) => pb.send('/api/caller-names/provider', { method: 'POST', body: { url: '' } }), expected: [401, 403, 403, 200, 403] },
  { name: 'POST /api/caller-names/test (no provider)', call: (pb) => pb.send('/api/caller-names/test', { method: 'POST', body: { number: '+12015550123' } }), expected: [401, 403, 403, 400, 403] },
  { name: 'POST /api/caller-names/sweep', call: (pb) => pb.send('/api/caller-names/sweep', { method: 'POST' }), expected: [401, 403, 403, 200, 403] },
  { name: 'POST /api/caller-names/lookup (no provider)', call: (pb) => pb.send('/api/caller-names/lookup', { method: 'POST', body: { phone: '+12015550123' } }), expected: [401, 400, 400, 400, 403] },
  { name: 'POST /api/sms/inbound', call: (pb) => pb.send('/api/sms/inbound', { method: 'POST', body: {} }), expected: [401, 403, 403, 403, 400] },
  { name: 'GET /api/sms/outages', call: (pb) => pb.send('/api/sms/outages', {}), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/attachments/purge (older than 10 years)', call: (pb) => pb.send('/api/attachments/purge', { method: 'POST', body: { days: 3650 } }), expected: [401, 403, 403, 200, 403] },
  // the SMS link needs no sign-in: whoever has the token gets that one file
  { name: 'GET /f/{token}', call: (pb) => pb.send(`/f/${publicToken}`, {}), expected: [200, 200, 200, 200, 200] },
  { name: 'GET /f/{token} (no such token)', call: (pb) => pb.send('/f/NoSuchToken00000000000', {}), expected: [404, 404, 404, 404, 404] },
  { name: 'POST /api/sms/queue-places', call: (pb) => pb.send('/api/sms/queue-places', { method: 'POST', body: { deliveries: [fixtures.deliveries.target] } }), expected: [401, 200, 200, 200, 403] },
  { name: 'POST /api/sms/links/{id}/cancel-waiting (no such link)', call: (pb) => pb.send('/api/sms/links/nosuchlink12345/cancel-waiting', { method: 'POST' }), expected: [401, 403, 403, 404, 403] },
  // the integration API takes API keys only: every sign-in is refused
  { name: 'POST /api/v1/sms (sign-ins, no key)', call: (pb) => pb.send('/api/v1/sms', { method: 'POST', body: { to: '+12015550123', text: 'x' } }), expected: [401, 401, 401, 401, 401] },
  { name: 'GET /api/v1/deliveries/{id} (sign-ins, no key)', call: (pb) => pb.send(`/api/v1/deliveries/${fixtures.deliveries.target}`, {}), expected: [401, 401, 401, 401, 401] },
  { name: 'POST /api/v1/deliveries/{id}/cancel (sign-ins, no key)', call: (pb) => pb.send(`/api/v1/deliveries/${fixtures.deliveries.target}/cancel`, { method: 'POST' }), expected: [401, 401, 401, 401, 401] },
  { name: 'GET /api/v1/openapi.json', call: (pb) => pb.send('/api/v1/openapi.json', {}), expected: [200, 200, 200, 200, 200] },
  { name: 'POST /api/integrations', call: (pb) => pb.send('/api/integrations', { method: 'POST', body: { name: 'Made', scope_status: true } }), expected: [401, 403, 403, 200, 403] },
  { name: 'POST /api/integrations/{id}/revoke', call: (pb) => pb.send(`/api/integrations/${fixtures.integrations.target}/revoke`, { method: 'POST' }), expected: [401, 403, 403, 200, 403] },
  { name: 'GET /api/templates/fields', call: (pb) => pb.send('/api/templates/fields?phone=%2B12015550123', {}), expected: [401, 200, 200, 200, 403] },
  // Bob is in the chat but did not schedule Dave's text; the others are not in it
  { name: "POST /api/scheduled/{id}/cancel (Dave's)", call: (pb) => pb.send(`/api/scheduled/${fixtures.scheduled_messages.target}/cancel`, { method: 'POST' }), expected: [401, 403, 404, 404, 403] },
  { name: "POST /api/scheduled/{id}/cancel (Bob's own)", call: (pb) => pb.send(`/api/scheduled/${bobsScheduled}/cancel`, { method: 'POST' }), expected: [401, 200, 404, 404, 403] },
  { name: 'POST /api/scheduled/sweep', call: (pb) => pb.send('/api/scheduled/sweep', { method: 'POST' }), expected: [401, 403, 403, 200, 403] },
  { name: 'POST /api/webhook-calls/{id}/resend', call: (pb) => pb.send(`/api/webhook-calls/${fixtures.webhook_calls.target}/resend`, { method: 'POST' }), expected: [401, 403, 403, 200, 403] },
  // the bridge's worker hands over a keyword call's answer (an empty body is refused with a sentence)
  { name: 'POST /api/webhook-calls/{id}/keyword-reply', call: (pb) => pb.send(`/api/webhook-calls/${fixtures.webhook_calls.target}/keyword-reply`, { method: 'POST', body: {} }), expected: [401, 403, 403, 403, 400] },
  { name: 'POST /api/broadcasts/preview (SMS off / not allowed)', call: (pb) => pb.send('/api/broadcasts/preview', { method: 'POST', body: { source: 'list', numbers: ['+12015550123'], body: 'x' } }), expected: [401, 400, 400, 400, 403] },
  { name: 'POST /api/broadcasts (SMS off / not allowed)', call: (pb) => pb.send('/api/broadcasts', { method: 'POST', body: { source: 'list', numbers: ['+12015550123'], body: 'x' } }), expected: [401, 400, 400, 400, 403] },
  { name: 'POST /api/broadcasts/release', call: (pb) => pb.send('/api/broadcasts/release', { method: 'POST' }), expected: [401, 403, 403, 403, 200] },
  { name: 'POST /api/broadcasts/{id}/pause (done)', call: (pb) => pb.send(`/api/broadcasts/${fixtures.broadcasts.target}/pause`, { method: 'POST' }), expected: [401, 400, 404, 400, 403] },
  { name: 'POST /api/broadcasts/{id}/cancel (done)', call: (pb) => pb.send(`/api/broadcasts/${fixtures.broadcasts.target}/cancel`, { method: 'POST' }), expected: [401, 400, 404, 400, 403] },
  { name: 'GET /api/broadcasts/{id}/report', call: (pb) => pb.send(`/api/broadcasts/${fixtures.broadcasts.target}/report`, {}), expected: [401, 200, 404, 200, 403] },
];

describe('custom routes', () => {
  for (const route of ROUTES) {
    ROLES.forEach((role, i) => {
      it(`${route.name} by ${role} → ${route.expected[i]}`, async () => {
        const status = await route.call(clients[role]).then(
          () => 200,
          (e) => (e instanceof ClientResponseError ? e.status : Promise.reject(e)),
        );
        expect(status === 200 && route.expected[i] === 204 ? 204 : status).toBe(route.expected[i]);
      });
    });
  }
});

// Custom realtime topics a caller may subscribe to, by caller (statuses follow
// ROLES). Service-only topics are refused to everyone else at subscription
// (deploy/pocketbase/service_topics.go); the hooks also publish them to
// services clients only.
const TOPICS: { topic: string; expected: number[] }[] = [
  // the broadcast worker's wake-up (pb_hooks/lib/realtime.ts, BROADCASTS_DUE)
  { topic: 'broadcasts_due', expected: [403, 403, 403, 403, 200] },
];

describe('realtime topics', () => {
  for (const { topic, expected } of TOPICS) {
    ROLES.forEach((role, i) => {
      it(`subscribe ${topic} by ${role} → ${expected[i]}`, async () => {
        const pb = clients[role];
        const status = await pb.realtime.subscribe(topic, () => {}).then(
          async (unsubscribe) => {
            await unsubscribe();
            return 200;
          },
          async (e) => {
            // the SDK keeps a refused topic for its next subscription request
            await pb.realtime.unsubscribe(topic).catch(() => {});
            return e instanceof ClientResponseError ? e.status : Promise.reject(e);
          },
        );
        expect(status).toBe(expected[i]);
      });
    });
  }
});

it('lets the bridge move state but not rewrite a link or a delivery', async () => {
  const svc = clients.service;
  for (const [collection, body] of [
    ['smsc_links', { host: 'evil.example' }],
    ['smsc_links', { password: 'x' }],
    ['deliveries', { to: '+19999999999' }],
    ['deliveries', { body: 'changed' }],
    ['attachments', { message: 'x' }],
    ['attachments', { public_token: 'guessable' }],
    ['attachments', { public_expires: '2199-01-01 00:00:00.000Z' }],
  ] as const) {
    expect(await svc.collection(collection).update(fixtures[collection].target, body).then(() => 200, (e) => e.status)).toBe(404);
  }
});

it('applies the same rules inside /api/batch', async () => {
  const asMember = clients.member.createBatch();
  asMember.collection('deliveries').update(fixtures.deliveries.target, { status: 'delivered' });
  expect(await asMember.send().then(() => 200, (e) => e.status)).toBe(400);
  const asService = clients.service.createBatch();
  asService.collection('deliveries').update(fixtures.deliveries.target, { status: 'delivered' });
  asService.collection('smsc_links').update(fixtures.smsc_links.target, { state: 'down' });
  const results = await asService.send();
  expect(results.map((r) => r.status)).toEqual([200, 200]);
});

it('covers every collection the schema defines', async () => {
  const all = await app.superuser.collections.getFullList();
  const ours = all.filter((c) => !c.system).map((c) => c.name).sort();
  expect(ours).toEqual(Object.keys(MATRIX).sort());
});
