import { describe, expect, it } from 'vitest';
import { classifyKeyword } from './keywords';

describe('classifyKeyword', () => {
  it.each([
    ['STOP', 'stop', 'STOP'],
    [' stop ', 'stop', 'STOP'],
    ['Stop.', 'stop', 'STOP'],
    ['stopall', 'stop', 'STOPALL'],
    ['Unsubscribe', 'stop', 'UNSUBSCRIBE'],
    ['cancel', 'stop', 'CANCEL'],
    ['END', 'stop', 'END'],
    ['quit!', 'stop', 'QUIT'],
    ['START', 'start', 'START'],
    ['unstop', 'start', 'UNSTOP'],
    ['help', 'help', 'HELP'],
  ])('%j is %s', (text, keyword, word) => {
    expect(classifyKeyword(text)).toEqual({ keyword, word });
  });

  it.each(['stop by tomorrow', 'please stop', 'starting now', 'helpful', '', 'S T O P'])('%j is an ordinary text', (text) => {
    expect(classifyKeyword(text)).toBeNull();
  });
});
