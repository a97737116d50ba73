// The SMS queue state machine: a customer's conversation on a queue number
// waits for an agent, is claimed by one, may be transferred, released or
// closed, and reopens when the customer texts again. Pure: the hooks apply
// what it decides (lib/queues.ts), the UI reads the same refusals.

/** QueueState is where a queue conversation is. */
export type QueueState = 'waiting' | 'claimed' | 'closed';

/** QueueThread is what a transition needs to know of a conversation. */
export interface QueueThread {
  state: QueueState;
  /** the agent who has it (claimed), or had it last (closed); '' otherwise */
  owner: string;
}

/** Agent is a person as the queue sees them. */
export interface Agent {
  id: string;
  name: string;
  /** a member of the conversation's queue */
  member: boolean;
  /** logged in to the queue right now */
  loggedIn: boolean;
}

/** QueueAction is everything that moves a queue conversation. */
export type QueueAction =
  | { type: 'text' }
  | { type: 'claim'; by: Agent }
  | { type: 'transfer'; by: Agent; to: Agent }
  | { type: 'release'; by: Agent }
  | { type: 'close'; by: Agent; reason?: string }
  | { type: 'post'; by: Agent }
  | { type: 'timeout_release'; minutes: number }
  | { type: 'timeout_close'; hours: number }
  | { type: 'logout'; by: Agent };

/** QueueLine is the system line a transition writes: its text and its event payload. */
export interface QueueLine {
  text: string;
  event: { type: string; [key: string]: unknown };
}

/** Transition is a decision: the next state and its line (null: nothing changes), or a refusal with its HTTP status. */
export type Transition =
  | { ok: true; next: QueueThread; line: QueueLine | null; greet: boolean }
  | { ok: false; status: 400 | 403 | 409; error: string };

const refuse = (status: 400 | 403 | 409, error: string): Transition => ({ ok: false, status, error });
const go = (next: QueueThread, text: string | null, event: QueueLine['event'], greet = false): Transition => ({
  ok: true,
  next,
  line: text === null ? null : { text, event },
  greet,
});

/**
 * decide applies an action to a queue conversation. `ownerName` names the
 * current owner in refusals ("Already claimed by Alice"); `queueName` names
 * the queue in lines.
 */
export function decide(t: QueueThread, action: QueueAction, names: { owner: string; queue: string }): Transition {
  const mustBeAgent = (a: Agent): Transition | null => {
    if (!a.member) return refuse(403, `You are not an agent of ${names.queue}.`);
    if (!a.loggedIn) return refuse(409, `Log in to ${names.queue} first.`);
    return null;
  };
  switch (action.type) {
    case 'text':
      if (t.state === 'closed') return go({ state: 'waiting', owner: '' }, 'Reopened: the customer texted again', { type: 'queue_reopened' }, true);
      return { ok: true, next: t, line: null, greet: false };
    case 'claim': {
      const no = mustBeAgent(action.by);
      if (no) return no;
      if (t.state === 'claimed') {
        return refuse(409, t.owner === action.by.id ? 'You already have this conversation.' : `Already claimed by ${names.owner}.`);
      }
      if (t.state === 'closed') return refuse(409, 'This conversation is closed.');
      return go({ state: 'claimed', owner: action.by.id }, `Claimed by ${action.by.name}`, { type: 'queue_claimed', user: action.by.id });
    }
    case 'transfer': {
      if (t.state !== 'claimed' || t.owner !== action.by.id) return refuse(403, ownerOnly(t, names.owner, 'transfer'));
      const { to } = action;
      if (to.id === action.by.id) return refuse(400, 'Pick someone other than yourself.');
      if (!to.member) return refuse(400, `${to.name} is not an agent of ${names.queue}.`);
      if (!to.loggedIn) return refuse(409, `${to.name} is not logged in to ${names.queue}.`);
      return go({ state: 'claimed', owner: to.id }, `Transferred from ${action.by.name} to ${to.name}`, {
        type: 'queue_transferred',
        from: action.by.id,
        to: to.id,
      });
    }
    case 'release':
      if (t.state !== 'claimed' || t.owner !== action.by.id) return refuse(403, ownerOnly(t, names.owner, 'release'));
      return go({ state: 'waiting', owner: '' }, `Released to the queue by ${action.by.name}`, { type: 'queue_released', user: action.by.id });
    case 'close': {
      if (t.state === 'closed') return refuse(409, 'This conversation is already closed.');
      if (t.state === 'claimed' && t.owner !== action.by.id) return refuse(403, ownerOnly(t, names.owner, 'close'));
      if (t.state === 'waiting') {
        const no = mustBeAgent(action.by);
        if (no) return no;
      }
      const reason = (action.reason ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
      return go({ state: 'closed', owner: action.by.id }, `Closed by ${action.by.name}${reason ? `: ${reason}` : ''}`, {
        type: 'queue_closed',
        user: action.by.id,
        reason,
      });
    }
    case 'post':
      if (t.state === 'claimed') {
        if (t.owner === action.by.id) return { ok: true, next: t, line: null, greet: false };
        return refuse(403, `${names.owner} has this conversation; only they can reply.`);
      }
      if (t.state === 'waiting') return refuse(409, 'Claim this conversation before replying.');
      // the agent who closed it writes again: it is theirs again
      if (t.owner !== action.by.id) return refuse(403, 'This conversation is closed.');
      return go({ state: 'claimed', owner: action.by.id }, `Reopened by ${action.by.name}`, { type: 'queue_claimed', user: action.by.id });
    case 'timeout_release':
      if (t.state !== 'claimed') return { ok: true, next: t, line: null, greet: false };
      return go({ state: 'waiting', owner: '' }, `Returned to queue: no reply in ${duration(action.minutes, 'min')}`, {
        type: 'queue_released',
        auto: true,
        from: t.owner,
      });
    case 'timeout_close':
      if (t.state === 'closed') return { ok: true, next: t, line: null, greet: false };
      return go({ state: 'closed', owner: t.owner }, `Closed after ${duration(action.hours, 'h')} without activity`, { type: 'queue_closed', auto: true });
    case 'logout':
      if (t.state !== 'claimed' || t.owner !== action.by.id) return { ok: true, next: t, line: null, greet: false };
      return go({ state: 'waiting', owner: '' }, `Handed back to the queue: ${action.by.name} logged out`, {
        type: 'queue_released',
        logout: true,
        from: action.by.id,
      });
  }
}

function ownerOnly(t: QueueThread, ownerName: string, verb: string): string {
  if (t.state === 'waiting') return `Nobody has this conversation yet; claim it before you ${verb} it.`;
  if (t.state === 'closed') return 'This conversation is closed.';
  return `Only ${ownerName}, who has this conversation, can ${verb} it.`;
}

/** duration renders a whole number of minutes or hours, or a fraction with one decimal ("0.5 min"). */
function duration(n: number, unit: string): string {
  const v = Number.isInteger(n) ? String(n) : n.toFixed(1);
  return `${v} ${unit}`;
}

/** QUEUE_DEFAULTS are the timeouts a new queue starts with, in seconds. */
export const QUEUE_DEFAULTS = {
  release_after_s: 10 * 60,
  close_after_s: 24 * 60 * 60,
  waiting_alert_after_s: 5 * 60,
};

/**
 * releaseDue reports whether a claim has gone unanswered for too long: the
 * customer's latest text (or the claim, if later) has no agent reply after
 * it for `releaseAfterS`. Times are epoch milliseconds (0: never).
 */
export function releaseDue(claimedAt: number, lastCustomerAt: number, lastAgentAt: number, releaseAfterS: number, now: number): boolean {
  if (releaseAfterS <= 0 || lastCustomerAt === 0 || lastAgentAt >= lastCustomerAt) return false;
  return now - Math.max(claimedAt, lastCustomerAt) >= releaseAfterS * 1000;
}

/** closeDue reports whether a conversation has been quiet for `closeAfterS`. */
export function closeDue(lastActivityAt: number, closeAfterS: number, now: number): boolean {
  return closeAfterS > 0 && lastActivityAt > 0 && now - lastActivityAt >= closeAfterS * 1000;
}
