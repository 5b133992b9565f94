import assert from 'node:assert/strict';
import { needsLookup } from '../../../src/delivery/contact-enricher';
import { fetchedContact } from '../../../src/delivery/contact-lookups';
import { LookupHealth } from '../../../src/delivery/lookup-health';
import { createLogger } from '../../../src/log';

const HOUR = 3_600_000;
const contact = { id: 'c1', name: 'N', tags: [], updatedAt: null };

describe('contact enrichment: when to ask klink, what to keep, what to log', () => {
  it('asks about a contact never seen, or known only from the API or a 404 older than the refresh time; never about one a webhook told of', () => {
    const now = 10 * HOUR;
    assert.equal(needsLookup(undefined, now, HOUR), true);
    assert.equal(needsLookup({ source: 'webhook', contact }, now, HOUR), false);
    assert.equal(needsLookup({ source: 'api', contact, fetchedAt: now - HOUR + 1 }, now, HOUR), false);
    assert.equal(needsLookup({ source: 'api', contact, fetchedAt: now - HOUR }, now, HOUR), true);
    assert.equal(needsLookup({ source: 'not-found', contact: null, checkedAt: now - 1 }, now, HOUR), false);
    assert.equal(needsLookup({ source: 'not-found', contact: null, checkedAt: now - HOUR }, now, HOUR), true);
  });

  it("keeps klink's answer as a contact version: the asked id, a trimmed name (empty when none), tag names once each", () => {
    assert.deepEqual(
      fetchedContact(
        {
          id: 'other',
          name: null,
          tags: [
            { id: null, name: ' VIP ' },
            { id: '2', name: 'VIP' },
            { id: '3', name: 'gold' },
          ],
        },
        'c1',
      ),
      { id: 'c1', name: '', tags: ['VIP', 'gold'] },
    );
  });

  it('logs one warning per outage and one info line when look-ups work again', () => {
    const lines: string[] = [];
    const health = new LookupHealth(createLogger('debug', { write: (line: string) => void lines.push(line) }));
    health.answered();
    health.troubled({ kind: 'failing', code: 'unavailable', status: 503 });
    health.troubled({ kind: 'slow', waitMs: 2000 });
    health.troubled({ kind: 'failing', code: 'timeout', status: null });
    health.answered();
    health.answered();
    health.troubled({ kind: 'slow', waitMs: 2000 });
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string });
    assert.deepEqual(
      logged.map((l) => [l.level, l.msg.split(':')[0], l.code]),
      [
        [40, 'klink contact look-ups fail', 'unavailable'],
        [30, 'klink contact look-ups work again', undefined],
        [40, 'klink contact look-ups take longer than 2000 ms', undefined],
      ],
    );
  });
});
