// Search (issue 15, docs/search.md): the messages and conversations a user
// can read right now, found by words, names and numbers. Membership is a
// condition of the same SQL statement that finds the matches (the rules'
// own test: the user is in `conversations.members`), so there is no moment
// between finding and checking, and nothing to filter afterwards.
import { parseQuery, type SearchTerm } from '../../src/lib/domain/search';
import { checkPhone } from '../../src/lib/domain/phone';
import { findSettings } from './settings';

/** SearchQuery is a checked search request. */
export interface SearchQuery {
  q: string;
  fts: string;
  terms: SearchTerm[];
  /** only this conversation */
  conversation: string;
  /** only messages by this user id, or this phone (E.164) */
  fromUser: string;
  fromPhone: string;
  /** 'sms': conversations with a business number (SMS threads, queues, groups with phones); 'chat': the others */
  kind: '' | 'sms' | 'chat';
  /** created ≥ since and < until, PocketBase's date format; '' for open */
  since: string;
  until: string;
  /** only messages older than this cursor (a previous answer's `next`) */
  before: number;
  limit: number;
}

/** MessageHit is one message found. */
export interface MessageHit {
  id: string;
  conversation: string;
  author: string;
  author_phone: string;
  body: string;
  created: string;
}

/** ConversationHit is one conversation found by its title, a member's name or a phone in it. */
export interface ConversationHit {
  id: string;
  kind: string;
  title: string;
  last_message_at: string;
  /** what matched: 'title', 'member' (a colleague's name), 'phone' (a number or its name) */
  matched: 'title' | 'member' | 'phone';
}

/** SearchAnswer is the search route's answer; `next` is the cursor for older messages, 0 when there are none. */
export interface SearchAnswer {
  conversations: ConversationHit[];
  messages: MessageHit[];
  next: number;
}

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)Z?)?$/;
const ID = /^[a-z0-9]{15}$/;

/** checkDate reads a date ("2026-12-01", the start of that day in UTC) or an instant ("2026-12-01T13:00:00.000Z") into PocketBase's date format. */
function checkDate(field: string, raw: string, endOfDay: boolean): string {
  if (!raw) return '';
  const m = DATE.exec(raw.trim());
  if (!m) throw new BadRequestError(`${field} must be a date such as 2026-12-01.`, null);
  if (m[2]) {
    const [hm, rest = '00'] = [m[2].slice(0, 5), m[2].slice(6)];
    const [s, ms = '0'] = rest.split('.');
    return `${m[1]} ${hm}:${s.padStart(2, '0')}.${ms.padEnd(3, '0')}Z`;
  }
  if (!endOfDay) return `${m[1]} 00:00:00.000Z`;
  const next = new Date(Date.parse(`${m[1]}T00:00:00Z`) + 86400000).toISOString();
  return `${next.slice(0, 10)} 00:00:00.000Z`;
}

/**
 * checkSearchQuery reads `GET /api/search`: q (required, words), and the
 * optional filters conversation, from (a user id or a phone number in any
 * format), kind (sms | chat), since and until (dates; until includes its
 * day), before (cursor) and limit (1–50, default 20). A query with no word
 * (only quotes, operators, punctuation) is a 400 with a sentence.
 */
export function checkSearchQuery(app: CoreApp, e: core.RequestEvent): SearchQuery {
  const get = (k: string) => (e.request!.url!.query().get(k) || '').trim();
  // untrimmed: a space after the last word ends it (no longer a prefix)
  const parsed = parseQuery(e.request!.url!.query().get('q') || '');
  if (!parsed.ok) throw new BadRequestError(parsed.error, { q: new ValidationError('validation_invalid', parsed.error) });
  const conversation = get('conversation');
  if (conversation && !ID.test(conversation)) throw new BadRequestError('conversation must be a conversation id.', null);
  const from = get('from');
  let fromUser = '';
  let fromPhone = '';
  if (ID.test(from)) fromUser = from;
  else if (from) {
    const phone = checkPhone(from, findSettings(app).getString('default_country'));
    if (!phone.ok) throw new BadRequestError(`from: ${phone.error}`, null);
    fromPhone = phone.e164;
  }
  const kind = get('kind');
  if (kind && kind !== 'sms' && kind !== 'chat') throw new BadRequestError('kind must be sms or chat.', null);
  const since = checkDate('since', get('since'), false);
  const until = checkDate('until', get('until'), true);
  const before = parseInt(get('before') || '0', 10) || 0;
  const limit = Math.min(50, Math.max(1, parseInt(get('limit') || '20', 10) || 20));
  return {
    q: get('q'),
    fts: parsed.fts,
    terms: parsed.terms,
    conversation,
    fromUser,
    fromPhone,
    kind: kind as SearchQuery['kind'],
    since,
    until,
    before: Math.max(0, before),
    limit,
  };
}

// the caller is an active member: the rules' own condition (docs/security.md)
const MEMBER = 'EXISTS (SELECT 1 FROM json_each(c.members) WHERE json_each.value = {:me})';

/**
 * findMessages returns the messages the user can read now that contain
 * every term, newest first (the index's order, which is the order they were
 * written), with the filters applied, in one SQL statement.
 */
export function findMessages(app: CoreApp, userId: string, q: SearchQuery): { messages: MessageHit[]; next: number } {
  const where = [MEMBER];
  const params: { [k: string]: string | number } = { me: userId, fts: q.fts, limit: q.limit + 1 };
  if (q.conversation) {
    where.push('m.conversation = {:conversation}');
    params.conversation = q.conversation;
  }
  if (q.fromUser) {
    where.push('m.author = {:fromUser}');
    params.fromUser = q.fromUser;
  }
  if (q.fromPhone) {
    where.push('m.author_phone = {:fromPhone}');
    params.fromPhone = q.fromPhone;
  }
  if (q.kind === 'sms') where.push("c.our_number != ''");
  if (q.kind === 'chat') where.push("c.our_number = ''");
  if (q.since) {
    where.push('m.created >= {:since}');
    params.since = q.since;
  }
  if (q.until) {
    where.push('m.created < {:until}');
    params.until = q.until;
  }
  if (q.before) {
    where.push('message_fts.rowid < {:before}');
    params.before = q.before;
  }
  const rows = arrayOf(new DynamicModel({ rid: 0, id: '', conversation: '', author: '', author_phone: '', body: '', created: '' }));
  app
    .db()
    .newQuery(
      `SELECT message_fts.rowid AS rid, m.id AS id, m.conversation AS conversation, m.author AS author,
              m.author_phone AS author_phone, m.body AS body, m.created AS created
         FROM message_fts
         JOIN message_search s ON s.rid = message_fts.rowid
         JOIN messages m ON m.id = s.message
         JOIN conversations c ON c.id = m.conversation
        WHERE message_fts MATCH {:fts} AND ${where.join(' AND ')}
        ORDER BY message_fts.rowid DESC
        LIMIT {:limit}`,
    )
    .bind(params)
    .all(rows);
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return {
    messages: page.map((r) => ({ id: r.id, conversation: r.conversation, author: r.author, author_phone: r.author_phone, body: r.body, created: r.created })),
    next: more ? page[page.length - 1].rid : 0,
  };
}

/** likeEscape makes text safe inside a LIKE pattern with ESCAPE '\'. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * findConversations returns the user's conversations whose title, a
 * colleague in it, or a phone in it (by any part of the number, written in
 * any format, or by its name in the user's or the shared phonebook or from
 * caller-name lookup) matches the query, most recently active first.
 */
export function findConversations(app: CoreApp, userId: string, q: SearchQuery, limit = 8): ConversationHit[] {
  const text = q.q.trim();
  // a number typed in any form: its digits, without a trunk 0 ("020 7946" is in +44 20 7946…)
  const numeric = /^[\d\s()+\-.\/]+$/.test(text);
  const digits = numeric ? text.replace(/\D/g, '').replace(/^0+/, '') : '';
  const parsed = numeric ? checkPhone(text, findSettings(app).getString('default_country')) : null;
  const e164 = parsed && parsed.ok ? parsed.e164 : '';
  const like = numeric ? '' : `%${likeEscape(text)}%`;
  const params = { me: userId, like, num: digits.length >= 3 ? `%${digits}%` : '', e164, limit };
  const phoneName = like
    ? `OR p.phone IN (SELECT n.e164 FROM contact_numbers n JOIN contacts k ON k.id = n.contact
                        WHERE (n.owner = '' OR n.owner = {:me}) AND k.name LIKE {:like} ESCAPE '\\')
       OR p.phone IN (SELECT phone FROM caller_names WHERE name LIKE {:like} ESCAPE '\\')`
    : '';
  const kind = q.kind === 'sms' ? "AND c.our_number != ''" : q.kind === 'chat' ? "AND c.our_number = ''" : '';
  const rows = arrayOf(new DynamicModel({ id: '', kind: '', title: '', last_message_at: '', by_title: false, by_member: false }));
  app
    .db()
    .newQuery(
      `SELECT c.id AS id, c.kind AS kind, c.title AS title, c.last_message_at AS last_message_at,
              ({:like} != '' AND c.title LIKE {:like} ESCAPE '\\') AS by_title,
              ({:like} != '' AND EXISTS (SELECT 1 FROM json_each(c.members) j JOIN users u ON u.id = j.value
                                          WHERE u.id != {:me} AND u.name LIKE {:like} ESCAPE '\\')) AS by_member
         FROM conversations c
        WHERE ${MEMBER} ${kind} AND (
              ({:like} != '' AND c.title LIKE {:like} ESCAPE '\\')
           OR ({:like} != '' AND EXISTS (SELECT 1 FROM json_each(c.members) j JOIN users u ON u.id = j.value
                                          WHERE u.id != {:me} AND u.name LIKE {:like} ESCAPE '\\'))
           OR EXISTS (SELECT 1 FROM participants p
                       WHERE p.conversation = c.id AND p.phone != '' AND p.left_at = ''
                         AND (({:num} != '' AND p.phone LIKE {:num}) OR p.phone = {:e164} ${phoneName})))
        ORDER BY c.last_message_at DESC, c.id
        LIMIT {:limit}`,
    )
    .bind(params)
    .all(rows);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    title: r.title,
    last_message_at: r.last_message_at,
    matched: r.by_title ? 'title' : r.by_member ? 'member' : 'phone',
  }));
}

/** findSearch answers the search route: conversations (unless the search is inside one, or by author) and messages. */
export function findSearch(app: CoreApp, userId: string, q: SearchQuery): SearchAnswer {
  const conversations = q.conversation || q.fromUser || q.fromPhone || q.before ? [] : findConversations(app, userId, q);
  const { messages, next } = findMessages(app, userId, q);
  return { conversations, messages, next };
}

/**
 * doMergeSearchIndex does the index's merge work, which sends no longer do
 * (automerge is off: docs/search.md, "Cost on a send"). FTS5 writes each
 * send's words as a small segment; merging segments keeps queries fast.
 * Here the merging happens in chunks of about `pages` pages, each in its own
 * short transaction (a send waits for one chunk at most), until FTS5 has
 * nothing left to merge or `maxChunks` chunks are done. It returns the
 * number of chunks that merged something.
 */
export function doMergeSearchIndex(app: CoreApp, pages = 250, maxChunks = 40): number {
  let chunks = 0;
  while (chunks < maxChunks) {
    let changes = 0;
    app.runInTransaction((tx) => {
      // one connection for the whole transaction, so total_changes() counts this merge's writes only
      const before = new DynamicModel({ n: 0 });
      tx.db().newQuery('SELECT total_changes() AS n').one(before);
      tx.db().newQuery("INSERT INTO message_fts (message_fts, rank) VALUES ('merge', {:pages})").bind({ pages }).execute();
      const after = new DynamicModel({ n: 0 });
      tx.db().newQuery('SELECT total_changes() AS n').one(after);
      changes = after.n - before.n;
    });
    // the INSERT itself counts one change: fewer than two means nothing was merged (FTS5's documentation)
    if (changes < 2) break;
    chunks++;
  }
  return chunks;
}
