/**
 * Who may read the operator endpoints: /metrics needs METRICS_TOKEN as a bearer token (outside
 * local mode without one it is not served), and /readyz tells anonymous callers only "not ready";
 * the reason goes to callers with the token and to the log.
 */
import assert from 'node:assert/strict';
import { type TestApp, startTestApp } from '../support/test-app';
import { makeUnwritable } from '../support/unwritable';
import { waitFor } from '../support/wait';

const DEPLOYED = {
  BOT_ID: '00000000-0000-0000-0000-000000000001',
  BOT_TENANT_ID: '00000000-0000-0000-0000-0000000000aa',
  BOT_PASSWORD: 'p',
  PUBLIC_URL: 'https://klink-teams.example.com',
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};
const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics and /readyz access', function () {
  this.timeout(30_000);
  let t: TestApp;
  afterEach(async () => t.close());

  const get = (path: string, token?: string) =>
    fetch(`${t.url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('outside local mode without METRICS_TOKEN, /metrics is not served', async () => {
    t = await startTestApp(DEPLOYED);
    const response = await get('/metrics');
    assert.equal(response.status, 404);
    assert.doesNotMatch(await response.text(), /klink_teams_/);
    assert.equal((await get('/readyz')).status, 200);
  });

  it('with METRICS_TOKEN, /metrics answers only the bearer of that token', async () => {
    t = await startTestApp({ ...DEPLOYED, METRICS_TOKEN: TOKEN });
    for (const token of [undefined, 'wrong', `${TOKEN}x`, TOKEN.slice(1)]) {
      const response = await get('/metrics', token);
      assert.equal(response.status, 401, String(token));
      assert.doesNotMatch(await response.text(), /klink_teams_/);
    }
    const basic = await fetch(`${t.url}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    assert.equal(basic.status, 401);
    const response = await get('/metrics', TOKEN);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /klink_teams_webhooks_total/);
  });

  it('/readyz says only "not ready" to anonymous callers; the reason to the token\'s bearer and to the log', async function () {
    t = await startTestApp({ ...DEPLOYED, METRICS_TOKEN: TOKEN });
    const unwritable = await makeUnwritable(t.database);
    if (unwritable === null) this.skip();
    try {
      const anonymous = await waitFor(
        async () => {
          const response = await get('/readyz');
          return response.status === 503 ? response.json() : null;
        },
        { timeoutMs: 10_000, what: '/readyz to answer 503' },
      );
      assert.deepEqual(anonymous, { ok: false });
      const detailed = (await (await get('/readyz', TOKEN)).json()) as { ok: boolean; error?: string };
      assert.equal(detailed.ok, false);
      assert.match(detailed.error ?? '', /cannot commit|write/i);
      assert.ok(
        t.logs.some((line) => line.includes('not ready') && line.includes('"reason"')),
        'the reason is logged',
      );
    } finally {
      await unwritable.restore();
    }
  });
});
