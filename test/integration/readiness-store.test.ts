/**
 * /readyz is honest about the store: while it cannot commit (a full disk, a read-only volume or
 * database) webhooks cannot be stored, so the instance is not ready; it is ready again by itself
 * once commits succeed, with no restart.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { messageEvent } from '../support/fixtures';
import { type TestApp, startTestApp } from '../support/test-app';
import { mountSmallDisk } from '../support/small-disk';
import { type TestDatabase, createTestDatabase } from '../support/test-database';
import { type PostgresRole, makeUnwritable, postgresRoleFor } from '../support/unwritable';
import { waitFor } from '../support/wait';

describe('/readyz while the store cannot commit [sqlite]', function () {
  this.timeout(30_000);
  let t: TestApp;
  afterEach(async () => t.close());

  const readyz = async () => (await fetch(`${t.url}/readyz`)).status;

  it('is not ready while the SQLite file cannot be written, and ready again once it can', async function () {
    t = await startTestApp();
    assert.equal(await readyz(), 200);
    assert.equal((await t.webhook(messageEvent({ id: 'before' }))).status, 200);
    const unwritable = await makeUnwritable(t.database);
    if (unwritable === null) this.skip();
    try {
      assert.notEqual((await t.webhook(messageEvent({ id: 'during' }))).status, 200, 'the store really refuses commits');
      await waitFor(async () => (await readyz()) === 503, { timeoutMs: 10_000, what: '/readyz to say not ready' });
    } finally {
      await unwritable.restore();
    }
    await waitFor(async () => (await readyz()) === 200, { timeoutMs: 10_000, what: '/readyz to be ready again' });
    assert.equal((await t.webhook(messageEvent({ id: 'after' }))).status, 200);
  });
});

describe('/readyz while the disk is full [sqlite]', function () {
  this.timeout(60_000);

  it('is not ready while webhooks cannot be stored for want of space, and ready again once there is space', async function () {
    const disk = await mountSmallDisk(8);
    if (disk === null) this.skip();
    const database: TestDatabase = {
      kind: 'sqlite',
      url: `sqlite:${path.join(disk.dir, 'klink-teams.db')}`,
      dir: disk.dir,
      open: () => Promise.reject(new Error('not used')),
      remove: async () => undefined,
    };
    const t = await startTestApp({}, { database });
    try {
      const readyz = async () => (await fetch(`${t.url}/readyz`)).status;
      assert.equal((await t.webhook(messageEvent({ id: 'before' }))).status, 200);
      assert.equal(await readyz(), 200);
      disk.fill();
      const text = 'x'.repeat(4000);
      let refused = 0;
      for (let i = 0; i < 300 && refused === 0; i++) {
        if ((await t.webhook(messageEvent({ id: `full-${i}`, text }))).status !== 200) refused++;
      }
      assert.equal(refused, 1, 'with the disk full, webhooks cannot be stored');
      await waitFor(async () => (await readyz()) === 503, { timeoutMs: 10_000, what: '/readyz to say not ready' });
      disk.free();
      await waitFor(async () => (await readyz()) === 200, { timeoutMs: 10_000, what: '/readyz to be ready again' });
      assert.equal((await t.webhook(messageEvent({ id: 'after', text }))).status, 200);
    } finally {
      await t.close();
      await disk.unmount();
    }
  });
});

describe('/readyz while the store cannot commit [postgres]', function () {
  this.timeout(30_000);
  let t: TestApp;
  let role: PostgresRole;
  afterEach(async () => {
    await t.close({ keepDatabase: true });
    await role.drop();
    await t.database.remove();
  });

  const readyz = async () => (await fetch(`${t.url}/readyz`)).status;

  it('is not ready while the database is read-only for the bot, and ready again once it is not', async () => {
    const database = await createTestDatabase('postgres');
    role = await postgresRoleFor(database);
    t = await startTestApp({ DATABASE_URL: role.url }, { database });
    assert.equal(await readyz(), 200);
    assert.equal((await t.webhook(messageEvent({ id: 'before' }))).status, 200);
    await role.readOnly();
    await waitFor(async () => (await readyz()) === 503, { timeoutMs: 10_000, what: '/readyz to say not ready' });
    await assert.rejects(
      t.app.store.events.recordEvent({
        connectionId: 'default',
        eventType: 'message.inbound',
        dataId: 'during',
        kind: 'message',
        payload: '{}',
        receivedAt: 1,
      }),
      /read-only transaction/,
      'the store really refuses commits',
    );
    const during = await t.webhook(messageEvent({ id: 'during' }), { signal: AbortSignal.timeout(10_000) });
    assert.equal(during.status, 500, 'a webhook that cannot be stored gets an answer klink retries');
    // On a busy machine the first failed probe may be its 2 s limit; the next one names the cause.
    await waitFor(
      async () => {
        await readyz();
        return t.logs.some((line) => line.includes('not ready: store problem') && line.includes('read-only transaction'));
      },
      { timeoutMs: 10_000, what: 'the reason (read-only transaction) in the log' },
    );
    await role.writable();
    await waitFor(async () => (await readyz()) === 200, { timeoutMs: 10_000, what: '/readyz to be ready again' });
    assert.equal((await t.webhook(messageEvent({ id: 'after' }))).status, 200);
  });
});
