import { describe, expect, it } from 'vitest';
import { flatItems, messageGroup, matchScore, stepActive, switcherGroups, type SwitcherConversation, type SwitcherPerson } from './switcher';

const conversations: SwitcherConversation[] = [
  { id: 'c1', title: 'Bob Baker', badge: 'CHAT', person: 'bob' },
  { id: 'c2', title: 'Delivery team', badge: 'GROUP' },
  { id: 'c3', title: '(415) 555-0123', badge: 'SMS' },
  { id: 'c4', title: 'Night deliveries', badge: 'GROUP' }
];
const people: SwitcherPerson[] = [
  { id: 'bob', name: 'Bob Baker', extension: '202' },
  { id: 'carol', name: 'Carol Delgado', extension: '203' },
  { id: 'emile', name: 'Émile Zola', extension: '204' }
];
const keys = (query: string) => switcherGroups(query, conversations, people).map((g) => [g.label, g.items.map((i) => i.key)]);

describe('quick switcher', () => {
  it('ranks the start of a title over the start of a word over the inside, ignoring case and accents', () => {
    expect(matchScore('Delivery team', 'deli')).toBe(3);
    expect(matchScore('Night deliveries', 'DELI')).toBe(2);
    expect(matchScore('Undelivered', 'deli')).toBe(1);
    expect(matchScore('Émile Zola', 'emile')).toBe(3);
    expect(matchScore('Bob', 'x')).toBe(0);
  });

  it('lists recent conversations for an empty query, and no people', () => {
    expect(keys('')).toEqual([['Conversations', ['c:c1', 'c:c2', 'c:c3', 'c:c4']]]);
  });

  it('groups matching conversations and people, best match first', () => {
    expect(keys('del')).toEqual([
      ['Conversations', ['c:c2', 'c:c4']],
      ['People', ['p:carol']]
    ]);
    expect(keys('0123')).toEqual([['Conversations', ['c:c3']]]);
    expect(keys('204')).toEqual([['People', ['p:emile']]]);
  });

  it('does not list a person twice when your chat with them is listed', () => {
    expect(keys('bob')).toEqual([['Conversations', ['c:c1']]]);
  });

  it('says where each result goes', () => {
    const [c, p] = switcherGroups('del', conversations, people);
    expect(c.items[0].target).toEqual({ type: 'conversation', id: 'c2' });
    expect(p.items[0]).toMatchObject({ label: 'Carol Delgado', detail: 'ext. 203', target: { type: 'person', id: 'carol' } });
  });

  it('moves through all groups in order with the arrow keys, wrapping around', () => {
    const items = flatItems(switcherGroups('del', conversations, people));
    expect(items.map((i) => i.key)).toEqual(['c:c2', 'c:c4', 'p:carol']);
    expect(stepActive(-1, 1, 3)).toBe(0);
    expect(stepActive(-1, -1, 3)).toBe(2);
    expect(stepActive(2, 1, 3)).toBe(0);
    expect(stepActive(0, -1, 3)).toBe(2);
    expect(stepActive(0, 1, 0)).toBe(-1);
  });

  it('adds the messages the search found as their own group, last, each opening its conversation at the message', () => {
    expect(messageGroup([])).toEqual([]);
    const found = Array.from({ length: 7 }, (_, i) => ({ id: `m${i}`, conversation: 'c1', title: 'Bob Baker', author: 'Bob Baker', snippet: `invoice ${i}` }));
    const [group] = messageGroup(found);
    expect(group.label).toBe('Messages');
    expect(group.items).toHaveLength(5);
    expect(group.items[0]).toMatchObject({ key: 'm:m0', label: 'Bob Baker', detail: 'Bob Baker: invoice 0', target: { type: 'message', conversation: 'c1', id: 'm0' } });
    expect(flatItems([...switcherGroups('bob', conversations, people), group]).map((i) => i.key).slice(-5)).toEqual(['m:m0', 'm:m1', 'm:m2', 'm:m3', 'm:m4']);
  });
});

