import assert from 'node:assert/strict';
import { renderCardText } from '../../../src/cards/card-text';
import { cardTime, cardTimestamp } from '../../../src/cards/card-time';
import { noticeCard } from '../../../src/cards/notice-card';
import { assertValidCard, cardTexts, cardTimeProblems } from '../../support/validate-card';

describe('card times and card text', () => {
  it('writes a time as DATE/TIME of an RFC 3339 timestamp without fractions', () => {
    assert.equal(cardTimestamp(Date.UTC(2026, 11, 2, 16, 53, 0, 456)), '2026-12-02T16:53:00Z');
    assert.equal(cardTimestamp('2025-12-23T11:16:52.123456Z'), '2025-12-23T11:16:52Z');
    assert.equal(cardTimestamp('not a time'), null);
    assert.equal(
      cardTime('garbage', new Date(Date.UTC(2026, 0, 1))),
      '{{DATE(2026-01-01T00:00:00Z, SHORT)}}, {{TIME(2026-01-01T00:00:00Z)}}',
    );
  });

  it('escapes the literal pieces but not the time between them', () => {
    const text = renderCardText(['Muted until ', { time: Date.UTC(2026, 11, 2, 16, 53) }, ' by *Mia* {{DATE(x)}}'], 200);
    assert.equal(text, 'Muted until {{DATE(2026-12-02T16:53:00Z, SHORT)}}, {{TIME(2026-12-02T16:53:00Z)}} by \\*Mia\\* \\{\\{DATE(x)}}');
  });

  it("a notice card shows its time in the reader's zone, as the real renderer formats it", () => {
    const card = noticeCard({ title: 'Room muted', text: ['Muted here until ', { time: Date.UTC(2026, 11, 2, 16, 53) }, '.'] });
    assertValidCard(card);
    assert.deepEqual(cardTimeProblems(card), []);
    assert.ok(cardTexts(card).includes('Muted here until {{DATE(2026-12-02T16:53:00Z, SHORT)}}, {{TIME(2026-12-02T16:53:00Z)}}.'));
  });

  it('the card check finds times written out in a fixed zone', () => {
    const card = noticeCard({ title: 'Room muted', text: ['Muted here until 2026-12-02 16:53 UTC.'] });
    assert.equal(cardTimeProblems(card).length, 1);
  });
});
