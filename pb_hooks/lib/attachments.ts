// Attachments (docs/attachments.md): the admin's limits on uploads, turning
// a message's uploads into attachments in the message's transaction, the
// worker's results coming back (the message's `files`, and its SMS legs once
// every file is ready), the public SMS link, and the admin's purge.
import { badField } from './http';
import { findSettings } from './settings';
import { findPhones } from './phones';
import { checkOutbound, doQueueDeliveries } from './outbound';
import { doPublish, findMembers } from './realtime';
import {
  DEFAULT_LIMITS,
  MAX_FILES,
  NO_PUBLIC_URL,
  PUBLIC_TOKEN_LENGTH,
  checkFile,
  publicLink,
  typeOfName,
  type FileSummary,
  type Limits,
} from '../../src/lib/domain/attachments';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DAY_MS = 86_400_000;

/** findLimits reads the admin's limits on files. */
export function findLimits(app: CoreApp): Limits {
  const s = findSettings(app);
  return { maxMb: s.getInt('attachment_max_mb') || DEFAULT_LIMITS.maxMb, types: s.getString('attachment_types') || DEFAULT_LIMITS.types };
}

/** checkPublicUrlFor refuses files in a conversation with phones while the appliance has no public address; returns that address ('' when no phones). */
export function checkPublicUrlFor(app: CoreApp, conversation: core.Record, field: string): string {
  if (!conversation.getString('our_number') || findPhones(app, conversation.id).length === 0) return '';
  const url = findSettings(app).getString('public_url');
  if (!url) badField(field, NO_PUBLIC_URL);
  return url;
}

/**
 * doUpload stores one original for a message not yet posted: the uploader
 * from the session, name, type and size from the file, the admin's limits
 * checked. The same (client_key, position) again answers with the upload
 * already stored, so a retried upload is never stored twice.
 */
export function doUpload(e: core.RecordRequestEvent): void {
  const record = e.record!;
  if (!e.hasSuperuserAuth()) record.set('uploader', e.auth!.id);
  record.set('message', '');
  const uploader = record.getString('uploader');
  try {
    const earlier = e.app.findFirstRecordByFilter('uploads', 'uploader = {:u} && client_key = {:k} && position = {:p}', {
      u: uploader,
      k: record.getString('client_key'),
      p: record.getInt('position'),
    });
    e.json(200, earlier);
    return;
  } catch (_) {
    // a first upload
  }
  const files = record.getUnsavedFiles('file');
  if (files.length !== 1 || !files[0]) badField('file', 'Choose one file per upload.');
  const file = files[0]!;
  const name = file.originalName.slice(0, 200);
  const problem = checkFile({ name, size: file.size }, findLimits(e.app));
  if (problem) badField('file', problem);
  record.set('name', name);
  record.set('type', typeOfName(name));
  record.set('size', file.size);
  const conversation = e.app.findRecordById('conversations', record.getString('conversation'));
  checkPublicUrlFor(e.app, conversation, 'file');
  e.next();
}

/** AttachPlan is what posting a message with files will write: its id (fixed in advance), the files' summaries and SMS links. */
export interface AttachPlan {
  messageId: string;
  uploads: core.Record[];
  files: FileSummary[];
  tokens: string[];
  links: string[];
}

/** findPendingUploads returns the author's uploads under a client key that no message has taken yet, in order. */
export function findPendingUploads(app: CoreApp, author: string, clientKey: string): core.Record[] {
  if (!author || !clientKey) return [];
  return app.findRecordsByFilter('uploads', "uploader = {:u} && client_key = {:k} && message = ''", 'position', MAX_FILES + 1, 0, {
    u: author,
    k: clientKey,
  }) as core.Record[];
}

/** checkAttach plans the attachments of a message about to be posted: the uploads must be in its conversation, few enough, and phones need a public URL. */
export function checkAttach(app: CoreApp, conversation: core.Record, uploads: core.Record[]): AttachPlan {
  if (uploads.length > MAX_FILES) badField('files', `A message can carry up to ${MAX_FILES} files.`);
  for (const u of uploads) {
    if (u.getString('conversation') !== conversation.id) badField('files', 'These files were uploaded to another conversation.');
  }
  const publicUrl = checkPublicUrlFor(app, conversation, 'files');
  const plan: AttachPlan = { messageId: $security.randomStringWithAlphabet(15, ID_ALPHABET), uploads, files: [], tokens: [], links: [] };
  for (const u of uploads) {
    const token = $security.randomStringWithAlphabet(PUBLIC_TOKEN_LENGTH, TOKEN_ALPHABET);
    plan.tokens.push(token);
    if (publicUrl) plan.links.push(publicLink(publicUrl, token));
    plan.files.push({
      id: $security.randomStringWithAlphabet(15, ID_ALPHABET),
      name: u.getString('name'),
      type: u.getString('type'),
      size: u.getInt('size'),
      width: 0,
      height: 0,
      status: 'processing',
      file: '',
      thumb: '',
    });
  }
  return plan;
}

/** doAttach writes a posted message's attachments (processing) and marks its uploads taken; call it in the message's transaction, after the message is saved. */
export function doAttach(app: CoreApp, message: core.Record, plan: AttachPlan): void {
  const collection = app.findCollectionByNameOrId('attachments');
  const days = findSettings(app).getInt('public_link_days') || 30;
  const expires = new DateTime().addDate(0, 0, days);
  plan.uploads.forEach((u, i) => {
    const f = plan.files[i];
    const a = new Record(collection);
    a.set('id', f.id);
    a.set('message', message.id);
    a.set('conversation', message.getString('conversation'));
    a.set('upload', u.id);
    a.set('position', i);
    a.set('name', f.name);
    a.set('type', f.type);
    a.set('size', f.size);
    a.set('status', 'processing');
    a.set('public_token', plan.tokens[i]);
    a.set('public_expires', expires);
    app.save(a);
    u.set('message', message.id);
    app.save(u);
  });
}

function summaryOf(a: core.Record): FileSummary {
  const s: FileSummary = {
    id: a.id,
    name: a.getString('name'),
    type: a.getString('type'),
    size: a.getInt('size'),
    width: a.getInt('width'),
    height: a.getInt('height'),
    status: a.getString('status') as FileSummary['status'],
    file: a.getString('file'),
    thumb: a.getString('thumb'),
  };
  if (a.getString('error')) s.error = a.getString('error');
  return s;
}

function findMessageAttachments(app: CoreApp, messageId: string): core.Record[] {
  return app.findRecordsByFilter('attachments', 'message = {:m}', 'position', 0, 0, { m: messageId }) as core.Record[];
}

/**
 * doSettleAttachment runs after the worker stored an attachment's result
 * (or the purge removed it): the message's `files` follow, everyone in the
 * conversation sees the change, and once no file of the message is still
 * processing its SMS legs are queued with one link per file.
 */
export function doSettleAttachment(app: CoreApp, attachment: core.Record): void {
  const messageId = attachment.getString('message');
  let message: core.Record | null = null;
  app.runInTransaction((tx) => {
    message = tx.findRecordById('messages', messageId);
    const all = findMessageAttachments(tx, messageId);
    message.set('files', all.map(summaryOf));
    tx.save(message);
    if (attachment.getString('status') === 'removed' || all.some((a) => a.getString('status') === 'processing')) return;
    const queued = tx.findRecordsByFilter('deliveries', 'message = {:m}', '', 1, 0, { m: messageId });
    if (queued.length) return;
    const conversation = tx.findRecordById('conversations', message.getString('conversation'));
    const publicUrl = findSettings(tx).getString('public_url');
    const links = publicUrl ? all.map((a) => publicLink(publicUrl, a.getString('public_token'))) : [];
    try {
      const legs = checkOutbound(tx, message, conversation, links);
      if (legs) doQueueDeliveries(tx, message, legs);
    } catch (err) {
      // the conversation changed while the files were processed (a phone opted out, SMS switched off)
      tx.logger().warn('attachments: SMS legs not queued', 'message', messageId, 'error', String(err));
    }
  });
  if (message) doPublish(app, findMembers(app, (message as core.Record).getString('conversation')), { type: 'message', message });
}

/** findPublicAttachment returns the attachment an SMS link names while the link is valid, else null. */
export function findPublicAttachment(app: CoreApp, token: string): core.Record | null {
  if (token.length !== PUBLIC_TOKEN_LENGTH || !/^[A-Za-z0-9]+$/.test(token)) return null;
  let a: core.Record;
  try {
    a = app.findFirstRecordByFilter('attachments', 'public_token = {:t}', { t: token });
  } catch (_) {
    return null;
  }
  if (a.getString('status') !== 'ready' || !a.getString('file')) return null;
  if (a.getDateTime('public_expires').time().unixMilli() < Date.now()) return null;
  return a;
}

/** checkPurgeDays reads how old (in days) attachments must be to be purged. */
export function checkPurgeDays(body: { [key: string]: any }): number {
  const days = body.days;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 3650) badField('days', 'Give a whole number of days from 0 (every file) to 3650.');
  return days;
}

/** doPurgeAttachments deletes the files of attachments older than `days` days, leaving each as a "file removed" marker; returns how many. */
export function doPurgeAttachments(app: CoreApp, days: number): number {
  const before = new DateTime(new Date(Date.now() - days * DAY_MS).toISOString());
  const old = app.findRecordsByFilter('attachments', "created < {:before} && status != 'removed' && status != 'processing'", 'created', 0, 0, {
    before: before.string(),
  }) as core.Record[];
  for (const a of old) {
    a.set('file', null);
    a.set('thumb', null);
    a.set('status', 'removed');
    a.set('public_token', '');
    // the after-update hook redraws the message (doSettleAttachment)
    app.save(a);
  }
  return old.length;
}

/** doDropOrphanUploads deletes uploads no message took within a day (a send abandoned after uploading). */
export function doDropOrphanUploads(app: CoreApp): number {
  const before = new DateTime(new Date(Date.now() - DAY_MS).toISOString());
  const old = app.findRecordsByFilter('uploads', "message = '' && created < {:before}", '', 500, 0, { before: before.string() }) as core.Record[];
  for (const u of old) app.delete(u);
  return old.length;
}
