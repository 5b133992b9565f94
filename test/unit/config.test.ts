import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('starts in local mode with defaults when the environment is empty', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3978);
    assert.equal(config.localMode, true);
    assert.deepEqual(config.store, { kind: 'sqlite', file: path.resolve('data/klink-teams.db') });
    assert.equal(config.dataDir, path.resolve('data'));
    assert.deepEqual(config.webhook, { mode: 'signature', secrets: [] });
    assert.equal(config.generateWebhookSecret, true);
    assert.deepEqual(config.vipTags, ['VIP', 'VVIP']);
    assert.ok(Object.isFrozen(config));
  });

  it('refuses local mode in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', KLINK_WEBHOOK_SECRET: 's' });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /BOT_ID/);
  });

  it('reports every problem at once, each with its fix', () => {
    const problems = problemsOf({
      BOT_ID: '00000000-0000-0000-0000-000000000001',
      BOT_TENANT_ID: '00000000-0000-0000-0000-0000000000aa',
      BOT_PASSWORD: 'p',
      PORT: 'eighty',
      KLINK_WEBHOOK_AUTH: 'basic',
      KLINK_ROOM_URL_TEMPLATE: 'https://app.klink.cloud/{room}',
      LOG_LEVEL: 'loud',
      BOT_TYPE: 'Everyone',
    });
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('PORT')));
    assert.ok(problems.some((p) => p.startsWith('KLINK_WEBHOOK_BASIC_USER')));
    assert.ok(problems.some((p) => p.startsWith('KLINK_WEBHOOK_BASIC_PASSWORD')));
    assert.ok(problems.some((p) => p.includes('{room}') && p.includes('{roomId}')));
    assert.ok(problems.some((p) => p.startsWith('LOG_LEVEL')));
    assert.ok(problems.some((p) => p.startsWith('BOT_TYPE')));
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (err: Error) => err.message.includes('fix these settings') && err.message.includes('PORT'));
  });

  const identity = { BOT_ID: '00000000-0000-0000-0000-000000000001', BOT_TENANT_ID: '00000000-0000-0000-0000-0000000000aa', BOT_PASSWORD: 'p' };

  it('requires a signing secret outside local mode and accepts several for rotation', () => {
    assert.match(problemsOf(identity).join('\n'), /KLINK_WEBHOOK_SECRET is empty: copy the signing secret/);
    const config = loadConfig({ ...identity, KLINK_WEBHOOK_SECRET: ' old , new ' });
    assert.deepEqual(config.webhook, { mode: 'signature', secrets: ['old', 'new'] });
    assert.equal(config.generateWebhookSecret, false);
  });

  it('reads header and basic modes and refuses mode none in production', () => {
    assert.deepEqual(loadConfig({ KLINK_WEBHOOK_AUTH: 'header', KLINK_WEBHOOK_HEADER_NAME: 'X-Klink-Token', KLINK_WEBHOOK_HEADER_VALUE: 'v' }).webhook,
      { mode: 'header', name: 'x-klink-token', value: 'v' });
    assert.deepEqual(loadConfig({ KLINK_WEBHOOK_AUTH: 'basic', KLINK_WEBHOOK_BASIC_USER: 'u', KLINK_WEBHOOK_BASIC_PASSWORD: 'p' }).webhook,
      { mode: 'basic', user: 'u', password: 'p' });
    assert.ok(problemsOf({ ...identity, NODE_ENV: 'production', KLINK_WEBHOOK_AUTH: 'none' }).some((p) => p.includes('KLINK_WEBHOOK_AUTH=none')));
  });

  it('requires a complete bot identity outside local mode', () => {
    const problems = problemsOf({ BOT_ID: 'not-a-guid', KLINK_WEBHOOK_SECRET: 's' });
    assert.ok(problems.some((p) => p.startsWith('BOT_ID "not-a-guid" is not a GUID')));
    assert.ok(problems.some((p) => p.startsWith('BOT_TENANT_ID is not set')));
    assert.ok(problems.some((p) => p.startsWith('BOT_PASSWORD is not set')));
    assert.deepEqual(problemsOf({ ...identity, BOT_PASSWORD: '', BOT_TYPE: 'UserAssignedMSI', KLINK_WEBHOOK_SECRET: 's' }), []);
    assert.ok(problemsOf({ ...identity, BOT_TENANT_ID: '', BOT_TYPE: 'MultiTenant', KLINK_WEBHOOK_SECRET: 's' }).some((p) => p.startsWith('KLINK_TENANT_ID is not set')));
  });

  it('listens on loopback only in local mode', () => {
    assert.equal(loadConfig({}).host, '127.0.0.1');
    assert.equal(loadConfig({ ...identity, KLINK_WEBHOOK_SECRET: 's' }).host, '0.0.0.0');
  });

  it('reads the database location, VIP tags and tenants', () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite:/tmp/x/k.db', KLINK_VIP_TAGS: 'gold, platinum', ALLOWED_TENANTS: 'a,b', BOT_TENANT_ID: 't' });
    assert.deepEqual(config.store, { kind: 'sqlite', file: '/tmp/x/k.db' });
    assert.equal(config.dataDir, '/tmp/x');
    assert.deepEqual(config.vipTags, ['gold', 'platinum']);
    assert.deepEqual(config.allowedTenants, ['a', 'b']);
    assert.equal(config.klinkTenantId, 't');
    assert.match(problemsOf({ DATABASE_URL: 'mysql://x' })[0], /DATABASE_URL must start with sqlite:/);
  });
});
