// Record shapes of the collections the UI reads, as the migrations define them.
import type { FileSummary } from '../domain/attachments';
import type { LinkSettings, LinkStateValue } from '../domain/smsc-link';

/** Role of a user: admins manage accounts and settings, members use the inbox. */
export type Role = 'admin' | 'member';

/** UserRecord is a `users` record: a person with an extension. */
export interface UserRecord {
  id: string;
  collectionId: string;
  collectionName: 'users';
  email: string;
  name: string;
  extension: string;
  role: Role;
  disabled: boolean;
  sms_numbers: string[];
  default_number: string;
  alert_muted: boolean;
  /** may edit the shared phonebook (admins always may) */
  edit_phonebook?: boolean;
  created: string;
  updated: string;
}

/** NewUser is what an admin enters to create an account. */
export interface NewUser {
  name: string;
  extension: string;
  email: string;
  role: Role;
  password: string;
  edit_phonebook?: boolean;
}

/** UserChanges is what an admin may change on an existing account. */
export interface UserChanges {
  name: string;
  extension: string;
  email: string;
  role: Role;
  edit_phonebook?: boolean;
}

/** FirstAdmin is the form of the first-run setup screen. */
export interface FirstAdmin {
  name: string;
  extension: string;
  email: string;
  password: string;
  passwordConfirm: string;
}

/** ConversationKind: a chat between two colleagues, a named group, or an SMS thread. */
export type ConversationKind = 'direct' | 'group' | 'sms';

/** ConversationRecord is a `conversations` record; the list rule returns only yours. */
export interface ConversationRecord {
  id: string;
  kind: ConversationKind;
  /** the group's name; empty for direct chats (named after the other person) */
  title: string;
  /** the active internal participants (user ids) */
  members: string[];
  /** created of the newest message; empty before the first one */
  last_message_at: string;
  /** one line of the newest message */
  last_preview: string;
  /** true while the newest message has a failed SMS delivery (absent on records from before it existed) */
  last_failed?: boolean;
  /** the business number an SMS thread or a group with phones texts from; empty for none */
  our_number: string;
  /** for an SMS thread, "<number id>:<E.164 of the phone>"; empty otherwise */
  sms_key: string;
  /** who opened it */
  created_by: string;
  created: string;
  updated: string;
  /** the queue a customer's thread on a queue number belongs to; empty (or absent) outside queues */
  queue?: string;
  /** where a queue conversation is: waiting for an agent, claimed by one, or closed */
  queue_state?: QueueState | '';
  /** the agent who has it (claimed) or had it last (closed) */
  claimed_by?: string;
  /** when it last started waiting */
  waiting_since?: string;
  /** when its current owner claimed it */
  claimed_at?: string;
  /** the customer's latest text */
  last_customer_at?: string;
  /** the owner's latest reply */
  last_agent_at?: string;
}

/** QueueState is where a queue conversation is. */
export type QueueState = 'waiting' | 'claimed' | 'closed';

/** QueueAgent is a logged-in agent of a queue, as the queue routes and events name them. */
export interface QueueAgent {
  id: string;
  name: string;
}

/** QueueSummary is one of your queues as `GET /api/queues/mine` gives it. */
export interface QueueSummary {
  id: string;
  name: string;
  /** you are logged in to it (you see its waiting conversations) */
  logged_in: boolean;
  /** how many conversations wait in it */
  waiting: number;
  /** who is logged in to it now */
  agents: QueueAgent[];
  /** a conversation waiting longer than this is highlighted (0: never) */
  waiting_alert_after_s: number;
}

/** QueueRecord is a `queues` record: a team of agents that a queue number's texts go to. */
export interface QueueRecord {
  id: string;
  name: string;
  /** the agents (user ids) */
  members: string[];
  /** auto-reply sent once when a conversation starts waiting; '' for none */
  greeting: string;
  /** auto-reply instead of the greeting when nobody is logged in; '' for none */
  away_reply: string;
  /** a claim whose customer has had no reply for this long goes back to waiting (0: never) */
  release_after_s: number;
  /** a conversation quiet this long closes (0: never) */
  close_after_s: number;
  /** a conversation waiting longer than this is highlighted (0: never) */
  waiting_alert_after_s: number;
  /** archived queues take no texts; they are kept for their conversations */
  archived: boolean;
  created: string;
  updated: string;
}

/** QueueInput is what an admin saves on a queue. */
export type QueueInput = Pick<
  QueueRecord,
  'name' | 'members' | 'greeting' | 'away_reply' | 'release_after_s' | 'close_after_s' | 'waiting_alert_after_s'
>;

/** MessageKind: text someone wrote, or a system line the server wrote about a change. */
export type MessageKind = 'text' | 'system';

/** MessageRecord is a `messages` record. */
export interface MessageRecord {
  id: string;
  conversation: string;
  /** user id of the writer (for system lines: who caused the change); empty for a text from a phone */
  author: string;
  /** the external number that wrote, when author is empty */
  author_phone: string;
  body: string;
  kind: MessageKind;
  /** the sender's idempotency key; a retry with the same key returns the stored message */
  client_key: string;
  /** the integration that sent it through the API (author and author_phone are then empty) */
  integration?: string;
  /** that integration's name when it sent the text (members cannot read integrations) */
  integration_name?: string;
  /** 'YYYY-MM-DD HH:MM:SS.sssZ' */
  created: string;
  /** what a system line is about, e.g. {type: 'opted_out', phone, keyword}; null or absent for texts */
  event?: unknown;
  /** the files it carries (docs/attachments.md); null or absent for none */
  files?: FileSummary[] | null;
  /** changes when its files are processed or purged */
  updated?: string;
}

/** ParticipantRecord is a `participants` record: one member's read position. */
export interface ParticipantRecord {
  id: string;
  conversation: string;
  /** the internal member; empty for an external phone */
  user: string;
  phone: string;
  /** created of the newest message this member has seen; empty when none */
  last_read_at: string;
  /** set when the member left or was removed */
  left_at: string;
  muted: boolean;
  /** for a phone: when it replied STOP to the conversation's business number; empty while it accepts texts */
  opted_out_at: string;
}

/** AlertTone names one of the built-in alert tones. */
export type AlertTone = 'chime' | 'ping' | 'marimba' | 'bell';

/** SettingsRecord is the one `settings` record. */
export interface SettingsRecord {
  id: string;
  alert_tone: AlertTone;
  /** ISO 3166 two-letter code used to read national phone numbers */
  default_country: string;
  /** what goes before a group message texted to its phones; "{name}" is the sender's name */
  sms_name_prefix: string;
  /** the automatic replies to STOP, START and HELP ({label}: the number's label) */
  stop_reply: string;
  start_reply: string;
  help_reply: string;
  /** the largest file that may be attached, in MB */
  attachment_max_mb: number;
  /** the MIME types that may be attached, comma-separated, `image/*` wildcards */
  attachment_types: string;
  /** the address phones reach this appliance at, for file links; '' for none */
  public_url: string;
  /** how long a file link sent by SMS works, in days */
  public_link_days: number;
  /** the business's IANA time zone ("Europe/Berlin"): scheduled sends are picked and shown in it */
  time_zone: string;
}

/** AttachmentRecord is an `attachments` record: one file of a message. */
export interface AttachmentRecord extends FileSummary {
  message: string;
  conversation: string;
  created: string;
}

/** InboxEvent is what the server sends on the `inbox` realtime topic. */
export type InboxEvent =
  | { type: 'message'; message: MessageRecord }
  | { type: 'conversation'; conversation: ConversationRecord }
  | { type: 'removed'; conversation: string }
  | { type: 'participant'; participant: ParticipantRecord }
  | { type: 'delivery'; delivery: DeliveryRecord; conversation: string }
  | { type: 'typing'; conversation: string; user: string; name: string; stopped?: boolean }
  | { type: 'queue'; queue: string; waiting: number; agents: QueueAgent[]; removed?: boolean }
  | { type: 'contact'; contact: ContactRecord; deleted: boolean }
  | { type: 'phonebook' }
  | { type: 'caller_name'; caller_name: { phone: string; name: string } }
  | { type: 'scheduled'; scheduled: ScheduledRecord };

/** ScheduledRecord is a `scheduled_messages` record: a text that goes at `send_at` (docs/scheduled.md). */
export interface ScheduledRecord {
  id: string;
  conversation: string;
  /** who scheduled it ('' for an integration's) */
  author: string;
  integration: string;
  integration_name: string;
  body: string;
  /** when it goes (UTC, PocketBase's "2026-12-24 08:00:00.000Z") */
  send_at: string;
  state: 'scheduled' | 'sent' | 'cancelled' | 'failed';
  /** the id its message gets when it goes */
  message: string;
  client_key: string;
  /** why it was not sent (failed) */
  error: string;
  cancelled_by: string;
  /** the integration that cancelled it through the send API (docs/integrations.md) */
  cancelled_by_integration: string;
  done_at: string;
  created: string;
}

/** ContactNumber is one number of a contact: E.164 and a label ("mobile", "office"). */
export interface ContactNumber {
  e164: string;
  label: string;
}

/** ContactRecord is a `contacts` record: shared when `owner` is empty, else personal to its owner. */
export interface ContactRecord {
  id: string;
  name: string;
  company: string;
  owner: string;
  numbers: ContactNumber[] | null;
  email: string;
  notes: string;
  /** contact_groups ids; shared contacts only (docs/broadcasts.md) */
  groups?: string[];
  created: string;
  updated: string;
}

/** NameSource says where a shown name comes from: your contact, the shared phonebook, or the network (caller ID). */
export type NameSource = 'personal' | 'shared' | 'cnam';

/** FoundName is the name the server found for a number (POST /api/names). */
export interface FoundName {
  name: string;
  source: NameSource;
  contact?: string;
}

/** SearchHit is one result of GET /api/contacts/search. */
export type SearchHit =
  | { source: 'phonebook'; contact: string; name: string; company: string; e164: string; label: string; personal: boolean }
  | { source: 'directory'; user: string; name: string; extension: string }
  | { source: 'recent'; e164: string; name: string; cnam: boolean; last_at: string };

/** SearchResult is contact search's answer, one list per source. */
export interface SearchResult {
  phonebook: SearchHit[];
  directory: SearchHit[];
  recent: SearchHit[];
}

/**
 * DeliveryStatus is where one SMS leg stands: queued and sending (the bridge
 * has it), sent (the SMSC took it), delivered (the handset's receipt),
 * failed, or unknown (the bridge stopped after handing it to the SMSC and
 * before the answer: it may not have been sent).
 */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'unknown';

/** DeliveryRecord is a `deliveries` record: one message texted to one phone. */
export interface DeliveryRecord {
  id: string;
  /** the message it carries */
  message: string;
  /** the phone, E.164 */
  to: string;
  /** the business number, E.164 */
  from: string;
  /** the text as sent (with a group's name prefix, or an automatic reply's wording) */
  body: string;
  status: DeliveryStatus;
  /** why it failed, in words; empty otherwise */
  error: string;
  /** the SMSC's or the bridge's code for the failure, e.g. '0x0B' */
  error_code: string;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2' | '';
  /** true when a part was sent again after a send that got no answer: the phone may have it twice */
  maybe_duplicate?: boolean;
  /** for a `sent` text: its receipt is awaited, not expected (sent is final), or overdue ('missing'); '' on older rows */
  report?: '' | 'awaited' | 'not_expected' | 'missing';
  created: string;
  /** changes with every status move: the newest copy of a delivery wins */
  updated: string;
}

/** NumberMode: texts to the number go to the users allowed on it (direct) or wait in a queue. */
export type NumberMode = 'direct' | 'queue';

/** NumberRecord is a `numbers` record: a business number (DID). */
export interface NumberRecord {
  id: string;
  /** the number, E.164 ('+12015550100') */
  e164: string;
  label: string;
  sms_enabled: boolean;
  mode: NumberMode | '';
  /** in queue mode, the queues id its texts go to; empty otherwise */
  queue?: string;
  /** the smsc_links id texts go out through; empty when none */
  smsc_link: string;
  created: string;
  updated: string;
}

/** NumberInput is what an admin saves on a number. */
export type NumberInput = Pick<NumberRecord, 'e164' | 'label' | 'sms_enabled' | 'smsc_link'> & { mode: NumberMode; queue: string };

/** LinkState is the live state the bridge writes on a link. */
export type LinkState = LinkStateValue;

/** LinkConfig is what an admin configures on an SMSC link. */
export type LinkConfig = LinkSettings;

/** SmscLinkRecord is an `smsc_links` record: one SMPP connection and its live state. */
export interface SmscLinkRecord extends LinkConfig {
  id: string;
  /** empty until the bridge first saw the link */
  state: LinkState | '';
  last_error: string;
  /** when state last changed; empty until then */
  state_at: string;
  /** when the link stopped being bound; empty while bound */
  down_since?: string;
  /** queued texts waiting for this link, and the oldest one's queue time (the bridge writes them every few seconds at most) */
  waiting?: number;
  waiting_since?: string;
  /** health, written by the bridge: when the link last became bound ('' while not), the last enquire_link round trip, reconnects in the last hour, why the last session ended */
  bound_since?: string;
  enquire_rtt_ms?: number;
  reconnects_1h?: number;
  last_drop?: string;
  created: string;
  updated: string;
}

/** Outage is a link that is not bound, with the business numbers whose texts wait for it (GET /api/sms/outages). */
export interface Outage {
  link: string;
  name: string;
  state: LinkState;
  down_since: string;
  waiting: number;
  /** the business numbers (E.164) whose texts wait for it, and their record ids */
  numbers: string[];
  number_ids: string[];
}

/** AuditEntry is an `audit_log` record: one administrative change (admins only). */
export interface AuditEntry {
  id: string;
  /** the administrator's users id; empty for a superuser */
  actor: string;
  /** the actor's name when it happened */
  actor_name: string;
  /** e.g. 'password_reset', 'role_changed', 'number_updated' */
  action: string;
  target_collection: string;
  target_id: string;
  target_label: string;
  /** what changed: `{changes: {field: {from, to} | {changed: true}}}`, `{fields: {...}}`, or the action's own shape */
  details: Record<string, unknown> | null;
  /** the address the request came from */
  ip: string;
  created: string;
}

/** AccountNotice is a change to your own account that someone else made, shown until acknowledged. */
export interface AccountNotice {
  id: string;
  action: string;
  actor_name: string;
  ip: string;
  created: string;
}

/** IntegrationRecord is an `integrations` record: another system's API key (the key itself is never stored). */
export interface IntegrationRecord {
  id: string;
  name: string;
  /** the key's first characters, to tell keys apart */
  key_prefix: string;
  /** the numbers ids it may text from */
  numbers: string[];
  default_number: string;
  scope_send: boolean;
  scope_status: boolean;
  scope_webhooks: boolean;
  ip_allowlist: string;
  rate_per_minute: number;
  webhook_inbound_url: string;
  webhook_status_url: string;
  /** signs its webhook calls (admins and the bridge read it) */
  webhook_secret: string;
  /** set once revoked; empty while the key works */
  revoked_at: string;
  last_used_at: string;
  last_used_ip: string;
  created: string;
  updated: string;
}

/** IntegrationInput is what the admin sets when making an integration. */
export type IntegrationInput = Pick<
  IntegrationRecord,
  'name' | 'numbers' | 'default_number' | 'scope_send' | 'scope_status' | 'scope_webhooks' | 'ip_allowlist' | 'rate_per_minute' | 'webhook_inbound_url' | 'webhook_status_url'
>;

/** WebhookCallRecord is a `webhook_calls` record: one call to an integration, with its last outcome. */
export interface WebhookCallRecord {
  id: string;
  integration: string;
  event: 'sms.inbound' | 'sms.delivery' | 'sms.keyword';
  url: string;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_status_code: number;
  last_error: string;
  last_attempt_at: string;
  /** an `sms.keyword` call's keyword reply */
  keyword_reply?: string;
  /** what an `sms.keyword` call texted back ('' until decided) */
  reply_outcome?: '' | 'sent' | 'fallback' | 'empty' | 'refused' | 'none';
  /** why, when it was not the webhook's answer */
  reply_note?: string;
  created: string;
  updated: string;
}

/** KeywordReplyRecord is a `keyword_replies` record: an admin's keyword on a business number and its automatic reply. */
export interface KeywordReplyRecord {
  id: string;
  our_number: string;
  /** in capitals, as matched */
  keyword: string;
  /** the fixed reply; with a webhook, the fallback ('' for none) */
  reply: string;
  /** called when the keyword is texted; its answer is the reply ('' for none) */
  webhook_url: string;
  /** the integration whose secret signs the webhook calls */
  integration: string;
  created: string;
  updated: string;
}
