import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readLocalWebhookSecret } from '../../src/klink/local-secret';
import { signBody } from '../../src/klink/verify';
import { messageEvent, sample } from '../support/fixtures';
import { type TestApp, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';

/** Counts stored events, to prove what was (not) stored. */
async function storedEvents(t: TestApp): Promise<number> {
  return (await t.app.store.rowCounts()).events;
}

eachStore('POST /api/klink/webhook', (kind) => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  describe('signature mode', () => {
    beforeEach(async () => {
      t = await startTestApp({ KLINK_WEBHOOK_SECRET: 'old-secret,test-signing-secret' }, { store: kind });
    });

    it('answers 200 once stored, and 200 "duplicate" for the same event type and data.id', async () => {
      assert.deepEqual(await t.webhook(sample('message.inbound')), { status: 200, json: { ok: true, result: 'stored' } });
      assert.deepEqual(await t.webhook(sample('message.inbound')), { status: 200, json: { ok: true, result: 'duplicate' } });
      assert.equal(await storedEvents(t), 1);
    });

    it('accepts any of the configured secrets (rotation)', async () => {
      assert.equal((await t.webhook(sample('message.inbound'), { secret: 'old-secret' })).status, 200);
    });

    it('answers 200 "ignored" for event types it does not use and stores nothing', async () => {
      const reply = await t.webhook({ event: 'room.solved', timestamp: '2026-01-10T08:00:00Z', data: { id: 'r1' } });
      assert.deepEqual(reply, { status: 200, json: { ok: true, result: 'ignored' } });
      assert.equal(await storedEvents(t), 0);
    });

    it('answers 401 for a wrong, missing or malformed signature and stores nothing', async () => {
      const body = JSON.stringify(sample('message.inbound'));
      assert.equal((await t.webhook(null, { raw: body, secret: 'wrong' })).status, 401);
      assert.equal((await t.webhook(null, { raw: body, headers: { 'x-signature': 'abc' } })).status, 401);
      const unsigned = await fetch(`${t.url}/api/klink/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(unsigned.status, 401);
      const tampered = body.replace('thanks', 'THANKS');
      assert.equal(
        (await t.webhook(null, { raw: tampered, headers: { 'x-signature': signBody('test-signing-secret', body) } })).status,
        401,
      );
      assert.equal(await storedEvents(t), 0);
      assert.ok(t.logs.some((line) => line.includes('authentication failed') && line.includes('"signatureLength":3')));
    });

    it('checks authentication before parsing: garbage with a bad signature is 401, not 400', async () => {
      assert.equal((await t.webhook(null, { raw: '{not json', secret: 'wrong' })).status, 401);
    });

    it('answers 400 for malformed JSON and for an invalid envelope, listing the problems', async () => {
      assert.equal((await t.webhook(null, { raw: '{"event": "message.inbound",' })).status, 400);
      const bad = await t.webhook({ event: 'message inbound', timestamp: 'yesterday', data: [] });
      assert.equal(bad.status, 400);
      assert.equal((bad.json.problems as string[]).length, 3);
      const noId = await t.webhook(messageEvent({ id: '' }));
      assert.deepEqual([noId.status, noId.json.problems], [400, ['"data.id" must be a non-empty string']]);
      assert.equal((await t.webhook([1, 2])).status, 400);
      assert.equal(await storedEvents(t), 0);
    });

    it('accepts data it only partly understands (lenient data)', async () => {
      const reply = await t.webhook({
        event: 'message.inbound',
        timestamp: '2026-01-10T08:00:00.000000Z',
        data: { id: 'm-1', type: 'sticker', room: 'odd' },
      });
      assert.equal(reply.status, 200);
    });

    it('answers 413 for a body over 1 MiB and 415 for a body that is not JSON', async () => {
      const big = JSON.stringify(messageEvent({ text: 'x'.repeat(1024 * 1024) }));
      assert.equal((await t.webhook(null, { raw: big })).status, 413);
      const form = await fetch(`${t.url}/api/klink/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-signature': signBody('test-signing-secret', 'a=1') },
        body: 'a=1',
      });
      assert.equal(form.status, 415);
      const json = JSON.stringify(sample('message.inbound'));
      const charset = await fetch(`${t.url}/api/klink/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-signature': signBody('test-signing-secret', json) },
        body: json,
      });
      assert.equal(charset.status, 200);
      assert.equal(await storedEvents(t), 1);
    });
  });

  it('basic mode: 200 with the right credentials, 401 without', async () => {
    t = await startTestApp(
      { KLINK_WEBHOOK_AUTH: 'basic', KLINK_WEBHOOK_BASIC_USER: 'klink', KLINK_WEBHOOK_BASIC_PASSWORD: 's3cret' },
      { store: kind },
    );
    const auth = (v: string) => ({ authorization: `Basic ${Buffer.from(v).toString('base64')}` });
    assert.equal((await t.webhook(sample('message.inbound'), { headers: auth('klink:s3cret') })).status, 200);
    assert.equal((await t.webhook(sample('message.outbound'), { headers: auth('klink:nope') })).status, 401);
    assert.equal(await storedEvents(t), 1);
  });

  it('header mode: 200 with the configured header, 401 without', async () => {
    t = await startTestApp(
      { KLINK_WEBHOOK_AUTH: 'header', KLINK_WEBHOOK_HEADER_NAME: 'X-Klink-Token', KLINK_WEBHOOK_HEADER_VALUE: 'tok' },
      { store: kind },
    );
    assert.equal((await t.webhook(sample('message.inbound'), { headers: { 'x-klink-token': 'tok' } })).status, 200);
    assert.equal((await t.webhook(sample('message.outbound'), { headers: { 'x-klink-token': 'tak' } })).status, 401);
  });

  it('local mode without a secret generates one under data/, keeps it across restarts, and verifies with it', async () => {
    t = await startTestApp({ KLINK_WEBHOOK_SECRET: '' }, { store: kind });
    const secret = readLocalWebhookSecret(t.dir);
    assert.ok(secret && /^[0-9a-f]{64}$/.test(secret));
    assert.equal(fs.statSync(path.join(t.dir, 'webhook-secret')).mode & 0o777, 0o600);
    assert.ok(t.logs.some((line) => line.includes('no KLINK_WEBHOOK_SECRET configured') && !line.includes(secret)));
    assert.equal((await t.webhook(sample('message.inbound'), { secret })).status, 200);
    assert.equal((await t.webhook(sample('message.outbound'))).status, 401);
    await t.close({ keepDatabase: true });
    t = await startTestApp({ KLINK_WEBHOOK_SECRET: '' }, { database: t.database });
    assert.equal(readLocalWebhookSecret(t.dir), secret);
  });

  it('serves /healthz and /readyz', async () => {
    t = await startTestApp({}, { store: kind });
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${t.url}/readyz`)).status, 200);
  });
});
