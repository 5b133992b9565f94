/**
 * Poison webhooks from outside: signed bodies that are valid JSON but carry identifiers no klink
 * id can be (lone surrogates, control characters, dot segments, excessive length) or nest far
 * deeper than any klink event. Each is refused with a 400 that lists what is wrong, and nothing
 * is stored, so klink does not retry them forever and delivery never meets them.
 */
import assert from 'node:assert/strict';
import { messageEvent, sample } from '../support/fixtures';
import { eachStore } from '../support/each-store';
import { type TestApp, startTestApp } from '../support/test-app';

eachStore('poison webhooks are refused at intake', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({}, { store: kind });
  });
  afterEach(async () => {
    await t.close();
  });

  const storedEvents = async (): Promise<number> => (await t.app.store.rowCounts()).events;

  it('refuses identifiers with a lone surrogate, control characters, dot segments or excessive length, naming each field', async () => {
    const cases: Array<{ body: Record<string, unknown>; field: string }> = [
      { body: messageEvent({ id: 'p1', roomId: '\ud800' }), field: 'data.roomId' },
      { body: messageEvent({ id: 'p2', roomId: 'room\u0000a' }), field: 'data.roomId' },
      { body: messageEvent({ id: 'p3', roomId: '..' }), field: 'data.roomId' },
      { body: messageEvent({ id: 'p4', contactId: 'c'.repeat(201) }), field: 'data.contactId' },
      { body: messageEvent({ id: 'p5\udc00' }), field: 'data.id' },
      {
        body: { ...sample('contact.update'), data: { ...(sample('contact.update').data as object), id: 'line\nbreak' } },
        field: 'data.id',
      },
    ];
    for (const { body, field } of cases) {
      const answer = await t.webhook(body);
      assert.equal(answer.status, 400, `${field} in ${JSON.stringify(body).slice(0, 120)}`);
      const problems = answer.json.problems as string[];
      assert.ok(
        Array.isArray(problems) && problems.some((p) => p.startsWith(`"${field}"`)),
        `problems name ${field}: ${JSON.stringify(answer.json)}`,
      );
    }
    assert.equal(await storedEvents(), 0);
  });

  it('lists every invalid identifier of one event at once', async () => {
    const answer = await t.webhook(messageEvent({ id: 'p1', roomId: '\ud800', contactId: '\u0007' }));
    assert.equal(answer.status, 400);
    const problems = answer.json.problems as string[];
    assert.ok(
      problems.some((p) => p.startsWith('"data.roomId"')) && problems.some((p) => p.startsWith('"data.contactId"')),
      JSON.stringify(problems),
    );
  });

  it('still accepts klink ids of any ordinary shape (UUIDs, numbers, punctuation, non-Latin text)', async () => {
    for (const [i, roomId] of ['9b2b7c3e-1f7a-4c1e-9d0e-6c1b2a3d4e5f', 'room (old) #1', 'ห้อง-๑', '😀-room', 'a.b'].entries()) {
      assert.equal((await t.webhook(messageEvent({ id: `ok-${i}`, roomId }))).status, 200, roomId);
    }
    const numeric = messageEvent({ id: 'ok-num' });
    (numeric.data as Record<string, unknown>).id = 12345;
    assert.equal((await t.webhook(numeric)).status, 200);
  });

  it('refuses a body nested 5,000 levels deep with 400 (not 500), before storing anything', async () => {
    const deep = `{"event":"message.inbound","timestamp":"2026-01-10T08:00:00Z","data":{"id":"deep","extra":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const answer = await t.webhook(null, { raw: deep });
    assert.equal(answer.status, 400);
    assert.match(String(answer.json.error), /nested/);
    assert.equal(await storedEvents(), 0);
    // Brackets inside strings are text, not nesting.
    const text = messageEvent({ id: 'brackets', text: '['.repeat(5000) });
    assert.equal((await t.webhook(text)).status, 200);
  });

  it('accepts nesting up to the limit of 64 and refuses one level more', async () => {
    // The envelope and data are two levels: 62 more arrays make 64.
    const nested = (levels: number) =>
      `{"event":"message.inbound","timestamp":"2026-01-10T08:00:00Z","data":{"id":"n${levels}","extra":${'['.repeat(levels)}${']'.repeat(levels)}}}`;
    assert.equal((await t.webhook(null, { raw: nested(62) })).status, 200);
    assert.equal((await t.webhook(null, { raw: nested(63) })).status, 400);
  });
});
