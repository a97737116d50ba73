import { describe, expect, it } from 'vitest';
import type { ConversationRecord, QueueSummary } from '../api/types';
import {
  CLAIM_TO_REPLY,
  applyQueueEvent,
  describeDuration,
  joinDuration,
  modeSwitchNote,
  overdue,
  queueComposerBlock,
  queueView,
  splitDuration,
  toneDue,
  transferTargets,
  waitedFor,
  waitingByQueue,
  waitingForMe,
  REPEAT_TONE_MS
} from './queues';

function conv(id: string, extra: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    id,
    kind: 'sms',
    title: '',
    members: ['me'],
    last_message_at: '2026-12-01 10:00:00.000Z',
    last_preview: 'hello',
    our_number: 'n1',
    sms_key: `n1:+1201555${id}`,
    created_by: '',
    created: '2026-12-01 09:00:00.000Z',
    updated: '',
    ...extra
  };
}

const sales: QueueSummary = { id: 'q1', name: 'Sales', logged_in: true, waiting: 2, agents: [{ id: 'me', name: 'Me' }], waiting_alert_after_s: 300 };
const support: QueueSummary = { id: 'q2', name: 'Support', logged_in: false, waiting: 1, agents: [], waiting_alert_after_s: 0 };

describe('waitingByQueue', () => {
  it('lists only waiting queue conversations, grouped by queue, longest waiting first', () => {
    const list = [
      conv('1', { queue: 'q1', queue_state: 'waiting', waiting_since: '2026-12-01 10:05:00.000Z' }),
      conv('2', { queue: 'q1', queue_state: 'waiting', waiting_since: '2026-12-01 10:01:00.000Z' }),
      conv('3', { queue: 'q1', queue_state: 'claimed', claimed_by: 'me' }),
      conv('4', { queue: 'q2', queue_state: 'waiting', waiting_since: '2026-12-01 10:00:00.000Z' }),
      conv('5')
    ];
    const byQueue = waitingByQueue(list);
    expect(byQueue.get('q1')!.map((w) => w.conversation.id)).toEqual(['2', '1']);
    expect(byQueue.get('q2')!.map((w) => w.conversation.id)).toEqual(['4']);
    expect(byQueue.get('q1')![0].since).toBe(Date.parse('2026-12-01T10:01:00.000Z'));
  });

  it('counts what waits in the queues you are logged in to only', () => {
    const byQueue = waitingByQueue([
      conv('1', { queue: 'q1', queue_state: 'waiting' }),
      conv('2', { queue: 'q2', queue_state: 'waiting' })
    ]);
    expect(waitingForMe([sales, support], byQueue)).toBe(1);
    expect(waitingForMe([{ ...sales, logged_in: false }, support], byQueue)).toBe(0);
  });
});

describe('waited time and highlight', () => {
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  it.each([
    [0, 'just now'],
    [42, '42 s'],
    [7 * 60 + 5, '7 min'],
    [2 * 3600, '2 h'],
    [2 * 3600 + 5 * 60, '2 h 5 min'],
    [3 * 86400 + 60, '3 d']
  ])('after %i s reads "%s"', (s, text) => {
    expect(waitedFor(t0, t0 + s * 1000)).toBe(text);
  });

  it('highlights past the queue threshold, never with 0', () => {
    expect(overdue(t0, 300, t0 + 299_000)).toBe(false);
    expect(overdue(t0, 300, t0 + 300_000)).toBe(true);
    expect(overdue(t0, 0, t0 + 86_400_000)).toBe(false);
  });

  it('repeats the tone only while something waits, at most every REPEAT_TONE_MS', () => {
    expect(toneDue(0, 0, t0)).toBe(false);
    expect(toneDue(1, t0, t0 + REPEAT_TONE_MS - 1)).toBe(false);
    expect(toneDue(1, t0, t0 + REPEAT_TONE_MS)).toBe(true);
  });
});

describe('queue events', () => {
  it('moves counts and who is logged in, including you logged in or out elsewhere', () => {
    const next = applyQueueEvent([sales, support], { type: 'queue', queue: 'q2', waiting: 4, agents: [{ id: 'me', name: 'Me' }] }, 'me');
    expect(next[1]).toMatchObject({ waiting: 4, logged_in: true });
    expect(next[0]).toBe(sales);
    const out = applyQueueEvent([sales], { type: 'queue', queue: 'q1', waiting: 0, agents: [] }, 'me');
    expect(out[0]).toMatchObject({ waiting: 0, logged_in: false });
  });

  it('drops a queue you were taken out of, or that was archived', () => {
    expect(applyQueueEvent([sales, support], { type: 'queue', queue: 'q1', waiting: 0, agents: [], removed: true }, 'me')).toEqual([support]);
  });

  it('ignores other events and queues that are not yours', () => {
    const queues = [sales];
    expect(applyQueueEvent(queues, { type: 'queue', queue: 'zz', waiting: 1, agents: [] }, 'me')).toBe(queues);
    expect(applyQueueEvent(queues, { type: 'removed', conversation: 'c' }, 'me')).toBe(queues);
  });

  it('offers the other logged-in agents as transfer targets, by name', () => {
    const q = { ...sales, agents: [{ id: 'me', name: 'Me' }, { id: 'z', name: 'Zoe' }, { id: 'b', name: 'Bob' }] };
    expect(transferTargets(q, 'me').map((a) => a.name)).toEqual(['Bob', 'Zoe']);
    expect(transferTargets(undefined, 'me')).toEqual([]);
  });
});

describe('the header and the composer of a queue conversation', () => {
  it.each([
    [{}, 'none', ''],
    [{ queue: 'q1', queue_state: 'waiting' as const }, 'waiting', CLAIM_TO_REPLY],
    [{ queue: 'q1', queue_state: 'claimed' as const, claimed_by: 'me' }, 'mine', ''],
    [{ queue: 'q1', queue_state: 'claimed' as const, claimed_by: 'bob' }, 'theirs', 'Someone else has this conversation; only they can reply.'],
    [{ queue: 'q1', queue_state: 'closed' as const, claimed_by: 'me' }, 'closed', ''],
    [{ queue: 'q1', queue_state: 'closed' as const, claimed_by: 'bob' }, 'closed', 'This conversation is closed.']
  ])('%o shows %s and blocks with "%s"', (fields, state, block) => {
    expect(queueView(conv('1', fields), 'me').state).toBe(state);
    expect(queueComposerBlock(conv('1', fields), 'me')).toBe(block);
  });
});

describe('timeouts in minutes and hours', () => {
  it.each([
    [600, 10, 'min'],
    [86400, 24, 'h'],
    [90, 1.5, 'min'],
    [0, 0, 'min']
  ])('%i s shows as %s %s', (s, value, unit) => {
    expect(splitDuration(s)).toEqual({ value, unit });
  });

  it('reads typed values into seconds and refuses the rest', () => {
    expect(joinDuration('10', 'min')).toEqual({ ok: true, seconds: 600 });
    expect(joinDuration('1,5', 'h')).toEqual({ ok: true, seconds: 5400 });
    expect(joinDuration('0', 'h')).toEqual({ ok: true, seconds: 0 });
    expect(joinDuration('', 'min')).toMatchObject({ ok: false });
    expect(joinDuration('-1', 'min')).toMatchObject({ ok: false });
    expect(joinDuration('ten', 'min')).toMatchObject({ ok: false });
  });

  it.each([
    [0, 'never'],
    [30, '30 s'],
    [600, '10 min'],
    [5400, '1 h 30 min'],
    [86400, '24 h']
  ])('%i s reads "%s"', (s, text) => {
    expect(describeDuration(s)).toBe(text);
  });
});

describe('switching a number between direct and queue', () => {
  const name = (id: string) => ({ q1: 'Sales', q2: 'Support' })[id] ?? '?';
  it('says what happens to existing conversations', () => {
    expect(modeSwitchNote({ mode: 'direct', queue: '' }, { mode: 'queue', queue: 'q1' }, name)).toMatch(/^New texts will wait in Sales\. Existing conversations stay/);
    expect(modeSwitchNote({ mode: 'queue', queue: 'q1' }, { mode: 'direct', queue: '' }, name)).toMatch(/Sales on this number become ordinary SMS threads/);
    expect(modeSwitchNote({ mode: 'queue', queue: 'q1' }, { mode: 'queue', queue: 'q2' }, name)).toMatch(/from Sales to Support/);
    expect(modeSwitchNote({ mode: 'queue', queue: 'q1' }, { mode: 'queue', queue: 'q1' }, name)).toBe('');
    expect(modeSwitchNote(null, { mode: 'queue', queue: 'q1' }, name)).toMatch(/wait in Sales/);
    expect(modeSwitchNote(null, { mode: 'direct', queue: '' }, name)).toBe('');
  });
});
