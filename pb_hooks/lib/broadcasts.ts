// Broadcasts: one text from one business number to a phonebook group or a
// list of numbers. A broadcast is started with its recipients written as
// `pending` rows; the bridge's broadcast worker then asks
// (`POST /api/broadcasts/release`) for the next few to be handed to the link,
// only while the link's queue of waiting texts is short and the broadcast's
// cap allows. Each recipient's copy goes through the same steps as any text
// in an SMS thread (doFindOrCreateSmsThread, checkOutbound,
// doTouchConversation, doQueueDeliveries) and its row's state is written in
// the same transaction, so a restart neither resends nor forgets anyone.
// docs/broadcasts.md. A feature module above sms, outbound, phones, audit.
import { badField, bodyString } from './http';
import { findSettings } from './settings';
import { doAudit, type Actor } from './audit';
import { doTouchConversation } from './threads';
import { accessSmsNumber, checkMayText } from './numbers';
import { findOptOut, optOutReason } from './phones';
import { doFindOrCreateSmsThread } from './sms';
import { doPublishBroadcastsDue } from './realtime';
import { checkOutbound, checkSmsBody, doQueueDeliveries } from './outbound';
import { checkBody } from '../../src/lib/domain/messages';
import { type BroadcastPreview as Preview, type ReportRow, checkCap, etaMs, linkLowWater, MAX_RECIPIENTS, planRecipients, releaseGapMs, releaseSize } from '../../src/lib/domain/broadcasts';

/** BroadcastRequest is a checked preview or start request. */
export interface BroadcastRequest {
  name: string;
  number: core.Record;
  body: string;
  segments: number;
  encoding: string;
  source: 'group' | 'list';
  group: core.Record | null;
  cap: number;
  phones: string[];
  duplicates: number;
  invalid: { value: string; error: string }[];
  /** shared contacts of the group with no number */
  without_number: number;
}


/** checkBroadcast reads a preview or start request from a user allowed on the number. */
export function checkBroadcast(app: CoreApp, user: core.Record, body: { [key: string]: any }): BroadcastRequest {
  const number = accessSmsNumber(app, user, bodyString(body, 'our_number'));
  const text = typeof body.body === 'string' ? body.body : '';
  const problem = checkBody(text);
  if (problem) badField('body', problem);
  const plan = checkSmsBody(text);
  const cap = checkCap(body.cap);
  if (!cap.ok) badField('cap', cap.error);
  const source = body.source === 'group' ? 'group' : 'list';
  const country = findSettings(app).getString('default_country');
  let entries: string[] = [];
  let group: core.Record | null = null;
  let withoutNumber = 0;
  if (source === 'group') {
    const id = bodyString(body, 'group');
    try {
      group = app.findRecordById('contact_groups', id);
    } catch (_) {
      badField('group', 'Choose a phonebook group.');
    }
    // a contact is texted at its first number (its main one)
    for (const c of app.findRecordsByFilter('contacts', "owner = '' && groups ~ {:g}", 'name', 0, 0, { g: group!.id })) {
      const numbers = JSON.parse(c!.getString('numbers') || '[]') as { e164: string }[];
      if (numbers.length) entries.push(numbers[0].e164);
      else withoutNumber++;
    }
  } else {
    if (!Array.isArray(body.numbers)) badField('numbers', 'Give the numbers to text, one per line.');
    entries = (body.numbers as unknown[]).map((v) => (typeof v === 'string' ? v : String(v ?? '')));
  }
  const recipients = planRecipients(entries, country, [number.getString('e164')]);
  if (recipients.phones.length > MAX_RECIPIENTS) badField('numbers', `A broadcast goes to at most ${MAX_RECIPIENTS.toLocaleString('en')} numbers; split the list.`);
  return {
    name: bodyString(body, 'name').slice(0, 100),
    number,
    body: text,
    segments: plan.segments,
    encoding: plan.encoding,
    source,
    group,
    cap: cap.ok ? cap.cap : 0,
    phones: recipients.phones,
    duplicates: recipients.duplicates,
    invalid: recipients.invalid,
    without_number: withoutNumber,
  };
}

/** findPreview counts what a broadcast would do: recipients, opted out, parts, and the time it takes at the cap and the link's rate. */
export function findPreview(app: CoreApp, req: BroadcastRequest): Preview {
  const optedOut = new Set(app.findRecordsByFilter('opt_outs', 'our_number = {:n}', '', 0, 0, { n: req.number.id }).map((o) => o!.getString('phone')));
  let linkName = '';
  let perSecond = 0;
  const linkId = req.number.getString('smsc_link');
  if (linkId) {
    try {
      const link = app.findRecordById('smsc_links', linkId);
      linkName = link.getString('name');
      perSecond = link.getFloat('max_per_second');
    } catch (_) {
      // a number without a link: texts wait until one is set
    }
  }
  const opted = req.phones.filter((p) => optedOut.has(p)).length;
  const sending = req.phones.length - opted;
  return {
    recipients: req.phones.length,
    duplicates: req.duplicates,
    invalid_count: req.invalid.length,
    invalid: req.invalid.slice(0, 20),
    without_number: req.without_number,
    opted_out: opted,
    segments: req.segments,
    encoding: req.encoding,
    cap: req.cap,
    link_name: linkName,
    link_per_second: perSecond,
    eta_s: Math.ceil(etaMs(sending, req.segments, req.cap, perSecond) / 1000),
  };
}

function actorOfUser(user: core.Record): Actor {
  return { id: user.id, name: user.getString('name') };
}

/** doStartBroadcast stores a running broadcast with its recipients (pending) and logs it, in one transaction, then wakes the broadcast worker. */
export function doStartBroadcast(app: CoreApp, user: core.Record, ip: string, req: BroadcastRequest): core.Record {
  if (!req.phones.length) badField('numbers', 'Nobody to text: the list has no valid number.');
  const b = new Record(app.findCollectionByNameOrId('broadcasts'));
  b.set('name', req.name || (req.group ? req.group.getString('name') : `${req.phones.length} numbers`));
  b.set('our_number', req.number.id);
  b.set('body', req.body);
  b.set('source', req.source);
  if (req.group) {
    b.set('group', req.group.id);
    b.set('group_name', req.group.getString('name'));
  }
  b.set('cap', req.cap);
  b.set('status', 'running');
  b.set('total', req.phones.length);
  for (const f of ['sent', 'skipped', 'failed', 'cancelled']) b.set(f, 0);
  b.set('segments', req.segments);
  b.set('encoding', req.encoding);
  b.set('created_by', user.id);
  b.set('created_by_name', user.getString('name'));
  b.set('next_release_at', new DateTime());
  app.runInTransaction((tx) => {
    tx.save(b);
    doInsertRecipients(tx, b.id, req.phones);
    doAudit(tx, actorOfUser(user), ip, [
      {
        action: 'broadcast_started',
        target_collection: 'broadcasts',
        target_id: b.id,
        target_label: b.getString('name'),
        details: { from: req.number.getString('e164'), recipients: req.phones.length, source: req.source, group: b.getString('group_name'), cap: req.cap },
      },
    ]);
  });
  // after the commit: a worker woken earlier would find nothing running
  doPublishBroadcastsDue(app, b.id);
  return b;
}

// plain INSERTs: thousands of record saves would hold the write lock for seconds
function doInsertRecipients(app: CoreApp, broadcastId: string, phones: string[]): void {
  const CHUNK = 200;
  for (let start = 0; start < phones.length; start += CHUNK) {
    const params: { [k: string]: unknown } = { b: broadcastId };
    const rows: string[] = [];
    phones.slice(start, start + CHUNK).forEach((phone, i) => {
      params[`i${i}`] = $security.randomStringWithAlphabet(15, 'abcdefghijklmnopqrstuvwxyz0123456789');
      params[`p${i}`] = phone;
      params[`s${i}`] = start + i;
      rows.push(`({:i${i}}, {:b}, {:p${i}}, {:s${i}}, 'pending')`);
    });
    app.db().newQuery(`INSERT INTO broadcast_recipients (id, broadcast, phone, seq, status) VALUES ${rows.join(', ')}`).bind(params).execute();
  }
}

/** accessBroadcast returns a broadcast the user may see and act on (an admin, or allowed on its number); 404 otherwise. */
export function accessBroadcast(app: CoreApp, user: core.Record, id: string): core.Record {
  let b: core.Record | undefined;
  try {
    b = app.findRecordById('broadcasts', id);
  } catch (_) {
    // answered below
  }
  if (!b || (user.getString('role') !== 'admin' && !user.getStringSlice('sms_numbers').includes(b.getString('our_number')))) {
    throw new NotFoundError('No such broadcast.', null);
  }
  return b;
}

/** Control is what a sender does to a broadcast. */
export type Control = 'pause' | 'resume' | 'cancel';

/** doControlBroadcast pauses, resumes or cancels a broadcast (cancelling leaves its pending recipients cancelled) and logs it; a resume wakes the broadcast worker. */
export function doControlBroadcast(app: CoreApp, user: core.Record, ip: string, id: string, op: Control): core.Record {
  let out: core.Record | undefined;
  app.runInTransaction((tx) => {
    const b = accessBroadcast(tx, user, id);
    const status = b.getString('status');
    const from: { [op in Control]: string[] } = { pause: ['running'], resume: ['paused'], cancel: ['running', 'paused'] };
    if (!from[op].includes(status)) {
      throw new BadRequestError(`This broadcast is ${status}; it cannot be ${op === 'pause' ? 'paused' : op === 'resume' ? 'resumed' : 'cancelled'}.`, null);
    }
    if (op === 'pause') b.set('status', 'paused');
    if (op === 'resume') {
      b.set('status', 'running');
      b.set('last_error', '');
      b.set('next_release_at', new DateTime());
    }
    if (op === 'cancel') {
      const res = tx
        .db()
        .newQuery("UPDATE broadcast_recipients SET status = 'cancelled' WHERE broadcast = {:b} AND status = 'pending'")
        .bind({ b: b.id })
        .execute();
      b.set('cancelled', b.getInt('cancelled') + res.rowsAffected());
      b.set('status', 'cancelled');
      b.set('finished_at', new DateTime());
    }
    tx.save(b);
    doAudit(tx, actorOfUser(user), ip, [
      { action: `broadcast_${op === 'pause' ? 'paused' : op === 'resume' ? 'resumed' : 'cancelled'}`, target_collection: 'broadcasts', target_id: b.id, target_label: b.getString('name'), details: { sent: b.getInt('sent'), total: b.getInt('total') } },
    ]);
    out = b;
  });
  if (op === 'resume') doPublishBroadcastsDue(app, out!.id);
  return out!;
}

/** Released is what one release pass did. */
export interface Released {
  running: number;
  released: number;
  skipped: number;
  failed: number;
  /** when the worker should ask again, at the latest */
  wait_ms: number;
}

/** IDLE_WAIT_MS is the longest `wait_ms` answered; with nothing running the worker waits for BROADCASTS_DUE instead (lib/realtime.ts). */
export const IDLE_WAIT_MS = 1000;

/**
 * doReleaseDue hands the next recipients of every running broadcast whose
 * cap allows it to the link, one transaction per broadcast; a link with a
 * long queue of waiting texts gets nothing more until it is short again.
 */
export function doReleaseDue(app: CoreApp): Released {
  const out: Released = { running: 0, released: 0, skipped: 0, failed: 0, wait_ms: IDLE_WAIT_MS };
  const running = app.findRecordsByFilter('broadcasts', "status = 'running'", 'created', 100, 0);
  out.running = running.length;
  const now = Date.now();
  for (const b of running) {
    const due = new Date(b!.getString('next_release_at').replace(' ', 'T')).getTime() || 0;
    if (due > now) {
      out.wait_ms = Math.min(out.wait_ms, due - now);
      continue;
    }
    const r = doReleaseBatch(app, b!.id);
    out.released += r.released;
    out.skipped += r.skipped;
    out.failed += r.failed;
    out.wait_ms = Math.min(out.wait_ms, r.wait_ms);
  }
  return out;
}

/** doReleaseBatch releases the next recipients of one broadcast in one transaction: each one's message, delivery and row state together. */
export function doReleaseBatch(app: CoreApp, id: string): { released: number; skipped: number; failed: number; wait_ms: number } {
  const out = { released: 0, skipped: 0, failed: 0, wait_ms: IDLE_WAIT_MS };
  app.runInTransaction((tx) => {
    const b = tx.findRecordById('broadcasts', id);
    if (b.getString('status') !== 'running') return;
    const number = tx.findRecordById('numbers', b.getString('our_number'));
    const link = number.getString('smsc_link');
    let window = 0;
    if (link) {
      try {
        window = tx.findRecordById('smsc_links', link).getInt('window');
      } catch (_) {
        // a removed link: the default low-water mark
      }
    }
    const row = new DynamicModel({ n: 0 });
    tx.db().newQuery("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'queued' AND link = {:link}").bind({ link }).one(row);
    const n = releaseSize(b.getInt('cap'), (row as unknown as { n: number }).n, linkLowWater(window));
    // the link is busy: ask again soon, people's own texts go first
    if (n === 0) {
      out.wait_ms = 200;
      return;
    }
    const author = tx.findRecordById('users', b.getString('created_by'));
    try {
      if (author.getBool('disabled')) badField('created_by', `${author.getString('name')}'s account is disabled.`);
      checkMayText(tx, author, number.id, number);
    } catch (err) {
      // not about one recipient: hold the broadcast until someone looks
      b.set('status', 'paused');
      b.set('last_error', `Paused: ${String((err as Error).message ?? err)}`.slice(0, 500));
      tx.save(b);
      return;
    }
    const pending = tx.findRecordsByFilter('broadcast_recipients', "broadcast = {:b} && status = 'pending'", 'seq', n, 0, { b: b.id });
    const messages = tx.findCachedCollectionByNameOrId('messages');
    for (const r of pending) {
      const phone = r!.getString('phone');
      const optOut = findOptOut(tx, phone, number.id);
      if (optOut) {
        r!.set('status', 'skipped_opted_out');
        r!.set('error', optOutReason(tx, optOut));
        out.skipped++;
      } else {
        try {
          const thread = doFindOrCreateSmsThread(tx, number, phone);
          const m = new Record(messages);
          m.set('conversation', thread.id);
          m.set('kind', 'text');
          m.set('body', b.getString('body'));
          m.set('author', author.id);
          // the checks a person's send passes: SMS on, allowed on the number, not opted out, at most MAX_SEGMENTS parts
          const legs = checkOutbound(tx, m, thread, [], author);
          tx.save(m);
          doTouchConversation(tx, m);
          if (legs) doQueueDeliveries(tx, m, legs);
          r!.set('status', 'sent');
          r!.set('message', m.id);
          try {
            r!.set('delivery', tx.findFirstRecordByFilter('deliveries', 'message = {:m}', { m: m.id }).id);
          } catch (_) {
            // no leg (cannot happen in an SMS thread with its phone)
          }
          out.released++;
        } catch (err) {
          r!.set('status', 'failed');
          r!.set('error', String((err as Error).message ?? err).slice(0, 500));
          out.failed++;
        }
      }
      r!.set('done_at', new DateTime());
      tx.save(r!);
    }
    b.set('sent', b.getInt('sent') + out.released);
    b.set('skipped', b.getInt('skipped') + out.skipped);
    b.set('failed', b.getInt('failed') + out.failed);
    const dealt = b.getInt('sent') + b.getInt('skipped') + b.getInt('failed') + b.getInt('cancelled');
    if (pending.length < n || dealt >= b.getInt('total')) {
      b.set('status', 'done');
      b.set('finished_at', new DateTime());
    } else {
      const gap = releaseGapMs(Math.max(1, pending.length), b.getInt('cap'));
      b.set('next_release_at', new DateTime(new Date(Date.now() + gap).toISOString()));
      out.wait_ms = gap;
    }
    tx.save(b);
  });
  return out;
}

/** findReport returns a page of a broadcast's recipients with their deliveries' status, and the counts of each state. */
export function findReport(app: CoreApp, b: core.Record, page: number, perPage: number, status: string): { items: ReportRow[]; counts: { [k: string]: number } } {
  const rows = arrayOf(
    new DynamicModel({ id: '', phone: '', status: '', error: '', conversation: '', delivery_status: '', delivery_error: '' }),
  );
  const filter = status ? ' AND (r.status = {:s} OR d.status = {:s})' : '';
  app
    .db()
    .newQuery(
      `SELECT r.id, r.phone, r.status, r.error, COALESCE(m.conversation, '') AS conversation, COALESCE(d.status, '') AS delivery_status, COALESCE(d.error, '') AS delivery_error
       FROM broadcast_recipients r LEFT JOIN deliveries d ON d.id = r.delivery LEFT JOIN messages m ON m.id = r.message
       WHERE r.broadcast = {:b}${filter} ORDER BY r.seq LIMIT {:limit} OFFSET {:offset}`,
    )
    .bind({ b: b.id, s: status, limit: perPage, offset: (page - 1) * perPage })
    .all(rows);
  const counts = arrayOf(new DynamicModel({ k: '', n: 0 }));
  app
    .db()
    .newQuery(
      `SELECT CASE WHEN r.status = 'sent' THEN COALESCE(d.status, 'queued') ELSE r.status END AS k, COUNT(*) AS n
       FROM broadcast_recipients r LEFT JOIN deliveries d ON d.id = r.delivery WHERE r.broadcast = {:b} GROUP BY k`,
    )
    .bind({ b: b.id })
    .all(counts);
  const c: { [k: string]: number } = {};
  for (const x of counts as unknown as { k: string; n: number }[]) c[x.k] = x.n;
  return { items: JSON.parse(JSON.stringify(rows)) as ReportRow[], counts: c };
}
