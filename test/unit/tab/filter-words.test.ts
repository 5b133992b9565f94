/** The filter builder's words: each kind of filter, quoting as README's filter table spells it, and what the builder refuses itself. */
import assert from 'node:assert/strict';
import { type BuilderState, builderProblems, emptyBuilder, filterWords } from '../../../tab/src/logic/filter-words';
import { parseFilterText } from '../../../src/bot/commands/parse';
import { formatFilters } from '../../../src/subscriptions/format';

function state(patch: Partial<BuilderState>): BuilderState {
  return { ...emptyBuilder(), ...patch };
}

describe('tab filter builder → filter words', () => {
  it('writes nothing when nothing is chosen', () => {
    assert.equal(filterWords(emptyBuilder()), '');
    assert.deepEqual(builderProblems(emptyBuilder()), []);
  });

  it('writes each kind of filter', () => {
    const cases: [Partial<BuilderState>, string][] = [
      [{ channels: ['whatsapp', 'email'] }, 'whatsapp email'],
      [{ vip: true }, 'vip'],
      [{ tags: ['gold'] }, 'tag:gold'],
      [{ keywords: ['refund'] }, '"refund"'],
      [{ direction: 'outbound' }, 'outbound'],
      [{ direction: 'both' }, 'both'],
      [{ rooms: 'group' }, 'group'],
      [{ rooms: 'direct' }, 'direct'],
      [{ handledBy: 'ai' }, 'ai'],
      [{ handledBy: 'human' }, 'human'],
      [{ minUnread: ' 3 ' }, 'unread>=3'],
      [{ roomIds: ['r-1'] }, 'room:r-1'],
      [{ contactIds: ['c-9'] }, 'contact:c-9'],
      [{ everything: true, vip: true, channels: ['sms'] }, 'all'],
    ];
    for (const [patch, words] of cases) assert.equal(filterWords(state(patch)), words, JSON.stringify(patch));
  });

  it('quotes tags, ids and keywords with spaces, and leaves out empty values', () => {
    const words = filterWords(state({ tags: ['two words', ' '], keywords: ['a phrase'], roomIds: ['room 7'], contactIds: ['x y'] }));
    assert.equal(words, 'tag:"two words" "a phrase" room:"room 7" contact:"x y"');
  });

  it('writes the words in the order the bot writes them, which its parser reads back to the same filters', () => {
    const full = state({
      channels: ['whatsapp'],
      vip: true,
      tags: ['two words'],
      keywords: ['a phrase'],
      direction: 'both',
      rooms: 'group',
      handledBy: 'ai',
      minUnread: '2',
      roomIds: ['r1'],
      contactIds: ['c1'],
    });
    const words = filterWords(full);
    const parsed = parseFilterText(words);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(formatFilters(parsed.filters), words);
  });

  it('explains values it cannot write instead of dropping them', () => {
    assert.deepEqual(builderProblems(state({ tags: ['say "hi"'] })), ['A tag cannot contain quotation marks: remove them from say "hi".']);
    assert.deepEqual(builderProblems(state({ keywords: ['“curly”'] })), [
      'A keyword cannot contain quotation marks: remove them from “curly”.',
    ]);
    assert.deepEqual(builderProblems(state({ minUnread: 'three' })), ['"Unread at least" needs a whole number, e.g. 3 (got "three").']);
    assert.deepEqual(builderProblems(state({ minUnread: '-1', vip: true })), [
      '"Unread at least" needs a whole number, e.g. 3 (got "-1").',
    ]);
    assert.deepEqual(builderProblems(state({ vip: true })), []);
  });
});
