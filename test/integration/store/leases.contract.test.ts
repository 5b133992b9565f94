/** Store contract: leases, the signal that new work was committed, and the schema's version. */
import assert from 'node:assert/strict';
import { eachStore } from '../../support/each-store';
import { admin } from '../../support/test-database';
import { waitFor } from '../../support/wait';
import { chat, dispatched, messageEvent, useStore } from './contract';

eachStore('store contract: leases, work signals, schema', (kind) => {
  const t = useStore(kind);

  it('a lease has one holder at a time, is renewed by it, expires on its own and can be released', async () => {
    assert.equal(await t.store.leases.acquireLease('dispatch', 'w1', 0, 1_000), true);
    assert.equal(await t.store.leases.acquireLease('dispatch', 'w2', 500, 1_000), false);
    assert.equal(await t.store.leases.acquireLease('dispatch', 'w1', 900, 1_000), true, 'renewed until 1,900');
    assert.equal(await t.store.leases.acquireLease('dispatch', 'w2', 1_500, 1_000), false);
    assert.equal(await t.store.leases.acquireLease('maintenance', 'w2', 1_500, 1_000), true, 'leases are by name');
    assert.equal(await t.store.leases.acquireLease('dispatch', 'w2', 1_900, 1_000), true, 'expired: taken over');
    await t.store.leases.releaseLease('dispatch', 'w1');
    assert.equal(await t.store.leases.acquireLease('dispatch', 'w1', 2_000, 1_000), false, 'only the holder releases');
    await t.store.leases.releaseLease('dispatch', 'w2');
    assert.equal(await t.store.leases.acquireLease('dispatch', 'w1', 2_000, 1_000), true);
  });

  it('tells watchers, through the store, when message events are committed, dispatched or re-queued', async () => {
    const other = await t.database.open();
    let heard = 0;
    const stop = await other.watch(() => {
      heard += 1;
    });
    try {
      await t.store.events.recordEvent(messageEvent('m1'));
      await waitFor(() => heard >= 1, { timeoutMs: 2_000, what: 'the signal for a committed message' });
      await t.store.conversations.upsertConversation(chat('a:1'), 1);
      const before = heard;
      const eventId = await dispatched(t.store, 'm2', ['a:1']);
      await waitFor(() => heard > before + 1, { timeoutMs: 2_000, what: 'the signals for a committed and a dispatched message' });
      const [delivery] = await t.store.deliveries.listDeliveries({ eventIds: [eventId] }, 1);
      await t.store.deliveries.markDead(delivery.id, 'x', 20);
      const beforeRequeue = heard;
      await t.store.deliveries.requeueDead(null, 30);
      await waitFor(() => heard > beforeRequeue, { timeoutMs: 2_000, what: 'the signal for a re-queued dead letter' });
    } finally {
      await stop();
      await other.close();
    }
  });

  it('a duplicate webhook or a contact event is no new work', async () => {
    await t.store.events.recordEvent(messageEvent('m1'));
    const other = await t.database.open();
    let heard = 0;
    const stop = await other.watch(() => {
      heard += 1;
    });
    try {
      await t.store.events.recordEvent(messageEvent('m1'));
      await t.store.events.recordEvent({
        ...messageEvent('c1'),
        kind: 'contact',
        eventType: 'contact.update',
        contact: { id: 'c1', name: 'x', tags: [], updatedAt: null, present: { name: true, tags: true } },
      });
      // A marker signal after them: the two above would have arrived first.
      await t.store.events.recordEvent(messageEvent('marker'));
      await waitFor(() => heard >= 1, { timeoutMs: 2_000, what: 'the marker signal' });
      assert.equal(heard, 1);
    } finally {
      await stop();
      await other.close();
    }
  });

  it('opens a database migrated by this version again without change, and refuses one from a newer version', async () => {
    await t.store.events.recordEvent(messageEvent('m1'));
    const counts = await t.store.rowCounts();
    await t.store.close();
    t.store = await t.database.open();
    assert.deepEqual(await t.store.rowCounts(), counts);
    const versions = counts.schema_migrations;
    await t.store.close();
    await schemaMigrations(`INSERT INTO schema_migrations (version, applied_at) VALUES (${versions + 1}, 0)`);
    await assert.rejects(t.database.open(), (err: Error) => {
      assert.equal(err.name, 'SchemaTooNewError');
      assert.match(err.message, new RegExp(`schema is at version ${versions + 1}, newer than this klink-teams knows \\(${versions}\\)`));
      return true;
    });
    await schemaMigrations(`DELETE FROM schema_migrations WHERE version = ${versions + 1}`);
    t.store = await t.database.open();
  });

  /** Another klink-teams version's migration, as it would write it: a row in schema_migrations. */
  async function schemaMigrations(sql: string): Promise<void> {
    if (kind === 'sqlite') {
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(t.database.url.slice('sqlite:'.length));
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
      return;
    }
    const schema = /search_path=(\w+)/.exec(decodeURIComponent(t.database.url))?.[1];
    await admin((client) => client.query(`SET search_path = ${schema}; ${sql}`));
  }
});
