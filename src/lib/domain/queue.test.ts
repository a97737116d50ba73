import { describe, expect, it } from 'vitest';
import { closeDue, decide, releaseDue, type Agent, type QueueThread } from './queue';

const alice: Agent = { id: 'a', name: 'Alice', member: true, loggedIn: true };
const bob: Agent = { id: 'b', name: 'Bob', member: true, loggedIn: true };
const away: Agent = { id: 'c', name: 'Cleo', member: true, loggedIn: false };
const outsider: Agent = { id: 'd', name: 'Dan', member: false, loggedIn: false };
const names = { owner: 'Alice', queue: 'Sales' };
const waiting: QueueThread = { state: 'waiting', owner: '' };
const claimed: QueueThread = { state: 'claimed', owner: 'a' };
const closed: QueueThread = { state: 'closed', owner: 'a' };

describe('queue transitions', () => {
  it.each([
    ['a text to a waiting conversation changes nothing', waiting, { type: 'text' }, waiting, null],
    ['a text to a claimed one stays with its owner', claimed, { type: 'text' }, claimed, null],
    ['a text reopens a closed one as waiting', closed, { type: 'text' }, waiting, 'Reopened: the customer texted again'],
    ['a logged-in agent claims a waiting one', waiting, { type: 'claim', by: alice }, claimed, 'Claimed by Alice'],
    ['the owner transfers to a logged-in agent', claimed, { type: 'transfer', by: alice, to: bob }, { state: 'claimed', owner: 'b' }, 'Transferred from Alice to Bob'],
    ['the owner releases', claimed, { type: 'release', by: alice }, waiting, 'Released to the queue by Alice'],
    ['the owner closes with a reason', claimed, { type: 'close', by: alice, reason: ' sold\n a car ' }, closed, 'Closed by Alice: sold a car'],
    ['a logged-in agent closes a waiting one (spam)', waiting, { type: 'close', by: bob }, { state: 'closed', owner: 'b' }, 'Closed by Bob'],
    ['the owner replies', claimed, { type: 'post', by: alice }, claimed, null],
    ['the agent who closed it writes again and has it back', closed, { type: 'post', by: alice }, claimed, 'Reopened by Alice'],
    ['an unanswered claim returns to the queue', claimed, { type: 'timeout_release', minutes: 10 }, waiting, 'Returned to queue: no reply in 10 min'],
    ['a quiet conversation closes', claimed, { type: 'timeout_close', hours: 24 }, closed, 'Closed after 24 h without activity'],
    ['logging out hands a claim back', claimed, { type: 'logout', by: alice }, waiting, 'Handed back to the queue: Alice logged out'],
    ['logging out leaves others’ claims alone', claimed, { type: 'logout', by: bob }, claimed, null],
    ['a release timeout on a waiting one does nothing', waiting, { type: 'timeout_release', minutes: 10 }, waiting, null],
    ['a close timeout on a closed one does nothing', closed, { type: 'timeout_close', hours: 24 }, closed, null],
  ] as const)('%s', (_name, from, action, next, line) => {
    const r = decide(from, action as never, names);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.next).toEqual(next);
    expect(r.line?.text ?? null).toBe(line);
  });

  it.each([
    ['a second claim names the winner', claimed, { type: 'claim', by: bob }, 409, 'Already claimed by Alice.'],
    ['claiming your own says so', claimed, { type: 'claim', by: alice }, 409, 'You already have this conversation.'],
    ['a closed one cannot be claimed', closed, { type: 'claim', by: bob }, 409, 'This conversation is closed.'],
    ['an agent who is not logged in cannot claim', waiting, { type: 'claim', by: away }, 409, 'Log in to Sales first.'],
    ['someone outside the queue cannot claim', waiting, { type: 'claim', by: outsider }, 403, 'You are not an agent of Sales.'],
    ['only the owner transfers', claimed, { type: 'transfer', by: bob, to: bob }, 403, 'Only Alice, who has this conversation, can transfer it.'],
    ['no transfer to a logged-out agent', claimed, { type: 'transfer', by: alice, to: away }, 409, 'Cleo is not logged in to Sales.'],
    ['no transfer outside the queue', claimed, { type: 'transfer', by: alice, to: outsider }, 400, 'Dan is not an agent of Sales.'],
    ['no transfer to yourself', claimed, { type: 'transfer', by: alice, to: alice }, 400, 'Pick someone other than yourself.'],
    ['a waiting one cannot be released', waiting, { type: 'release', by: alice }, 403, 'Nobody has this conversation yet; claim it before you release it.'],
    ['only the owner releases', claimed, { type: 'release', by: bob }, 403, 'Only Alice, who has this conversation, can release it.'],
    ['only the owner closes', claimed, { type: 'close', by: bob }, 403, 'Only Alice, who has this conversation, can close it.'],
    ['closing twice is refused', closed, { type: 'close', by: alice }, 409, 'This conversation is already closed.'],
    ['replying to a waiting one needs a claim', waiting, { type: 'post', by: alice }, 409, 'Claim this conversation before replying.'],
    ['only the owner replies', claimed, { type: 'post', by: bob }, 403, 'Alice has this conversation; only they can reply.'],
    ['a closed one is read-only to others', closed, { type: 'post', by: bob }, 403, 'This conversation is closed.'],
  ] as const)('%s', (_name, from, action, status, error) => {
    expect(decide(from, action as never, names)).toEqual({ ok: false, status, error });
  });

  it('asks for the greeting only when a conversation starts waiting again', () => {
    const r = decide(closed, { type: 'text' }, names);
    expect(r.ok && r.greet).toBe(true);
    const r2 = decide(claimed, { type: 'release', by: alice }, names);
    expect(r2.ok && r2.greet).toBe(false);
  });
});

describe('timeouts', () => {
  const min = 60_000;
  it('releases a claim whose latest customer text has no reply for the timeout, counted from the claim if later', () => {
    expect(releaseDue(0, 1 * min, 0, 600, 11 * min)).toBe(true);
    expect(releaseDue(0, 1 * min, 0, 600, 10 * min)).toBe(false);
    expect(releaseDue(0, 1 * min, 2 * min, 600, 60 * min)).toBe(false);
    expect(releaseDue(20 * min, 1 * min, 0, 600, 25 * min)).toBe(false);
    expect(releaseDue(20 * min, 1 * min, 0, 600, 30 * min)).toBe(true);
    expect(releaseDue(0, 1 * min, 0, 0, 99 * min)).toBe(false);
  });

  it('closes after the quiet period', () => {
    expect(closeDue(1 * min, 60, 2 * min)).toBe(true);
    expect(closeDue(1 * min, 120, 2 * min)).toBe(false);
    expect(closeDue(0, 60, 2 * min)).toBe(false);
  });
});
