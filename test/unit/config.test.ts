import assert from 'node:assert/strict';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config';

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

  it('refuses an HTTP_REQUEST_TIMEOUT_MS beyond 10 minutes (Node would fire such a timer at once)', () => {
    assert.match(
      problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '3000000000' }).join('\n'),
      /HTTP_REQUEST_TIMEOUT_MS "3000000000" is longer than 600000/,
    );
    assert.deepEqual(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '600000' }), []);
  });

  it('reads how contacts are enriched from klink: refresh after an hour and wait 2 s by default, validated', () => {
    assert.deepEqual(loadConfig({}).contactEnrichment, { refreshMs: 3_600_000, waitMs: 2_000 });
    assert.deepEqual(loadConfig({ KLINK_CONTACT_REFRESH_MINUTES: '5', KLINK_CONTACT_WAIT_MS: '250' }).contactEnrichment, {
      refreshMs: 300_000,
      waitMs: 250,
    });
    const problems = problemsOf({ KLINK_CONTACT_REFRESH_MINUTES: 'soon', KLINK_CONTACT_WAIT_MS: '0' }).join('\n');
    assert.match(problems, /KLINK_CONTACT_REFRESH_MINUTES "soon" is not a positive number/);
    assert.match(problems, /KLINK_CONTACT_WAIT_MS "0" is not a positive number/);
    assert.match(problemsOf({ KLINK_CONTACT_WAIT_MS: '30000' }).join('\n'), /KLINK_CONTACT_WAIT_MS "30000" is longer than 10000/);
    assert.match(
      problemsOf({ KLINK_CONTACT_REFRESH_MINUTES: '100000' }).join('\n'),
      /KLINK_CONTACT_REFRESH_MINUTES "100000" is longer than 43200/,
    );
  });

  it('reads KLINK_REPLY: off unless on, and refuses anything else', () => {
    assert.equal(loadConfig({}).klinkReply, 'off');
    assert.equal(loadConfig({ KLINK_REPLY: 'on' }).klinkReply, 'on');
    assert.equal(loadConfig({ KLINK_REPLY: 'OFF' }).klinkReply, 'off');
    assert.match(problemsOf({ KLINK_REPLY: 'yes' }).join('\n'), /KLINK_REPLY "yes" is not on or off/);
  });

  it('reads the klink API token and refuses one an HTTP header cannot carry', () => {
    assert.deepEqual(loadConfig({ KLINK_API_TOKEN: ' kpt_abc123 ', KLINK_API_BASE_URL: 'http://127.0.0.1:9/api/v1/' }).klinkApi, {
      token: 'kpt_abc123',
      baseUrl: 'http://127.0.0.1:9/api/v1',
    });
    assert.equal(loadConfig({}).klinkApi.token, null);
    for (const bad of ['kpt_abc 123', 'kpt_abc\n123', 'kpt_abcé']) {
      const problems = problemsOf({ KLINK_API_TOKEN: bad }).join('\n');
      assert.match(
        problems,
        /KLINK_API_TOKEN has spaces or characters an HTTP header cannot carry: copy the token again from klink → Settings → API Tokens/,
      );
      assert.ok(!problems.includes(bad), 'the token is not echoed');
    }
  });

  it('refuses local mode in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', KLINK_WEBHOOK_SECRET: 's' });
    assert.match(problems[0], /BOT_ID/);
  });

  it('lists every missing production setting at once, not BOT_ID first and the rest after it is set', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    const named = [
      'BOT_ID',
      'BOT_TENANT_ID',
      'BOT_PASSWORD',
      'KLINK_TENANT_ID',
      'KLINK_WEBHOOK_SECRET',
      'PUBLIC_URL',
      'DATA_ENCRYPTION_KEY',
    ];
    for (const name of named)
      assert.ok(
        problems.some((p) => p.startsWith(name)),
        `${name} missing from:\n${problems.join('\n')}`,
      );
    assert.equal(problems.length, named.length, problems.join('\n'));
  });

  it('reports every problem at once, each with its fix', () => {
    const problems = problemsOf({
      BOT_ID: '00000000-0000-0000-0000-000000000001',
      BOT_TENANT_ID: '00000000-0000-0000-0000-0000000000aa',
      BOT_PASSWORD: 'p',
      PUBLIC_URL: 'https://klink-teams.example.com',
      DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
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
    assert.throws(
      () => loadConfig({ PORT: 'eighty' }),
      (err: Error) => err.message.includes('fix these settings') && err.message.includes('PORT'),
    );
  });

  const identity = {
    BOT_ID: '00000000-0000-0000-0000-000000000001',
    BOT_TENANT_ID: '00000000-0000-0000-0000-0000000000aa',
    BOT_PASSWORD: 'p',
    PUBLIC_URL: 'https://klink-teams.example.com',
    DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  };

  it('refuses an http PUBLIC_URL outside local mode (the consent cookie is Secure; Teams calls https only)', () => {
    assert.match(
      problemsOf({ ...identity, KLINK_WEBHOOK_SECRET: 's', PUBLIC_URL: 'http://klink-teams.example.com' }).join('\n'),
      /PUBLIC_URL "http:\/\/klink-teams\.example\.com" is not https/,
    );
    assert.deepEqual(problemsOf({ ...identity, KLINK_WEBHOOK_SECRET: 's' }), []);
  });

  it('requires a signing secret outside local mode and accepts several for rotation', () => {
    assert.match(problemsOf(identity).join('\n'), /KLINK_WEBHOOK_SECRET is empty: copy the signing secret/);
    const config = loadConfig({ ...identity, KLINK_WEBHOOK_SECRET: ' old , new ' });
    assert.deepEqual(config.webhook, { mode: 'signature', secrets: ['old', 'new'] });
    assert.equal(config.generateWebhookSecret, false);
  });

  it('reads header and basic modes and refuses mode none in production', () => {
    assert.deepEqual(
      loadConfig({ KLINK_WEBHOOK_AUTH: 'header', KLINK_WEBHOOK_HEADER_NAME: 'X-Klink-Token', KLINK_WEBHOOK_HEADER_VALUE: 'v' }).webhook,
      { mode: 'header', name: 'x-klink-token', value: 'v' },
    );
    assert.deepEqual(
      loadConfig({ KLINK_WEBHOOK_AUTH: 'basic', KLINK_WEBHOOK_BASIC_USER: 'u', KLINK_WEBHOOK_BASIC_PASSWORD: 'p' }).webhook,
      { mode: 'basic', user: 'u', password: 'p' },
    );
    assert.ok(
      problemsOf({ ...identity, NODE_ENV: 'production', KLINK_WEBHOOK_AUTH: 'none' }).some((p) => p.includes('KLINK_WEBHOOK_AUTH=none')),
    );
  });

  it('requires a complete bot identity outside local mode', () => {
    const problems = problemsOf({ BOT_ID: 'not-a-guid', KLINK_WEBHOOK_SECRET: 's' });
    assert.ok(problems.some((p) => p.startsWith('BOT_ID "not-a-guid" is not a GUID')));
    assert.ok(problems.some((p) => p.startsWith('BOT_TENANT_ID is not set')));
    assert.ok(problems.some((p) => p.startsWith('BOT_PASSWORD is not set')));
    assert.deepEqual(problemsOf({ ...identity, BOT_PASSWORD: '', BOT_TYPE: 'UserAssignedMSI', KLINK_WEBHOOK_SECRET: 's' }), []);
    assert.ok(
      problemsOf({ ...identity, BOT_TENANT_ID: '', BOT_TYPE: 'MultiTenant', KLINK_WEBHOOK_SECRET: 's' }).some((p) =>
        p.startsWith('KLINK_TENANT_ID is not set'),
      ),
    );
  });

  it('accepts a certificate instead of a password, and checks it', () => {
    const certificate = {
      BOT_CERTIFICATE_THUMBPRINT: 'ab'.repeat(20),
      BOT_CERTIFICATE_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----',
    };
    const config = loadConfig({ ...identity, BOT_PASSWORD: '', ...certificate, KLINK_WEBHOOK_SECRET: 's' });
    assert.equal(config.bot.certificate?.thumbprint, 'AB'.repeat(20));
    assert.match(config.bot.certificate?.privateKey ?? '', /-----BEGIN PRIVATE KEY-----\nMIIE\n/);
    const problems = problemsOf({
      ...identity,
      BOT_PASSWORD: '',
      BOT_CERTIFICATE_THUMBPRINT: 'xyz',
      BOT_CERTIFICATE_PRIVATE_KEY: 'secret',
      KLINK_WEBHOOK_SECRET: 's',
    });
    assert.ok(problems.some((p) => p.startsWith('BOT_CERTIFICATE_THUMBPRINT')));
    assert.ok(problems.some((p) => p.startsWith('BOT_CERTIFICATE_PRIVATE_KEY')));
    assert.ok(!problems.join('\n').includes('secret'), 'the key is never echoed');
  });

  it('refuses a managed identity bot without its client id, and with a password', () => {
    assert.ok(problemsOf({ BOT_TYPE: 'UserAssignedMSI' }).some((p) => p.includes("managed identity's client id")));
    assert.ok(
      problemsOf({ ...identity, BOT_TYPE: 'UserAssignedMSI', KLINK_WEBHOOK_SECRET: 's' }).some((p) => p.includes('takes no BOT_PASSWORD')),
    );
  });

  it('requires PUBLIC_URL and a 32-byte DATA_ENCRYPTION_KEY outside local mode', () => {
    const problems = problemsOf({ ...identity, PUBLIC_URL: '', DATA_ENCRYPTION_KEY: 'short', KLINK_WEBHOOK_SECRET: 's' });
    assert.ok(problems.some((p) => p.startsWith('PUBLIC_URL is not set')));
    assert.ok(problems.some((p) => p.startsWith('DATA_ENCRYPTION_KEY must be 32 bytes')));
    assert.equal(
      loadConfig({ ...identity, DATA_ENCRYPTION_KEY: 'ab'.repeat(32), KLINK_WEBHOOK_SECRET: 's' }).dataEncryptionKey?.length,
      32,
    );
  });

  it('reads no variable outside CONFIG_VARIABLES', () => {
    const read = new Set<string>();
    const values: Record<string, string> = { ...identity, KLINK_WEBHOOK_SECRET: 's' };
    const env = new Proxy(values, {
      get: (target, name: string) => {
        read.add(name);
        return target[name];
      },
    });
    loadConfig(env);
    assert.deepEqual(
      [...read].filter((name) => !(CONFIG_VARIABLES as readonly string[]).includes(name)),
      [],
    );
  });

  it('refuses a Key Vault reference App Service could not resolve instead of using its text', () => {
    const problems = problemsOf({
      ...identity,
      KLINK_WEBHOOK_SECRET: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/klink-webhook-secret/)',
    });
    assert.ok(problems.some((p) => p.startsWith('KLINK_WEBHOOK_SECRET is an unresolved Key Vault reference')));
  });

  it('listens on loopback only in local mode', () => {
    assert.equal(loadConfig({}).host, '127.0.0.1');
    assert.equal(loadConfig({ ...identity, KLINK_WEBHOOK_SECRET: 's' }).host, '0.0.0.0');
  });

  it('reads the database location, VIP tags and tenants', () => {
    const a = 'AAAAAAAA-0000-0000-0000-000000000001';
    const b = 'bbbbbbbb-0000-0000-0000-000000000002';
    const config = loadConfig({
      DATABASE_URL: 'sqlite:/tmp/x/k.db',
      KLINK_VIP_TAGS: 'gold, platinum',
      ALLOWED_TENANTS: `${a}, ${b}`,
      BOT_TENANT_ID: b,
    });
    assert.deepEqual(config.store, { kind: 'sqlite', file: '/tmp/x/k.db' });
    assert.equal(config.dataDir, '/tmp/x');
    assert.deepEqual(config.vipTags, ['gold', 'platinum']);
    assert.deepEqual(config.allowedTenants, [a.toLowerCase(), b]);
    assert.equal(config.klinkTenantId, b);
    assert.match(problemsOf({ ALLOWED_TENANTS: 'contoso' })[0], /not a tenant id/);
    assert.match(problemsOf({ DATABASE_URL: 'mysql://x' })[0], /DATABASE_URL must start with sqlite:/);
  });
});
