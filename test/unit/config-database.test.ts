import assert from 'node:assert/strict';
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

function postgres(env: Record<string, string>) {
  const { store } = loadConfig(env);
  if (store.kind !== 'postgres') return assert.fail(`not PostgreSQL: ${store.kind}`);
  return store.settings;
}

describe('loadConfig: DATABASE_URL and PROCESS_ROLE', () => {
  it('selects PostgreSQL for postgres:// and postgresql://, with a bounded pool and statement timeouts', () => {
    const settings = postgres({ DATABASE_URL: 'postgres://klink:p%40ss@db.example.com:6432/klink_prod?sslmode=require' });
    assert.deepEqual(settings, {
      host: 'db.example.com',
      port: 6432,
      database: 'klink_prod',
      user: 'klink',
      password: 'p@ss',
      tls: { mode: 'verify', caFile: null },
      options: null,
      poolMax: 10,
      statementTimeoutMs: 15_000,
      connectTimeoutMs: 10_000,
      auth: { kind: 'password' },
    });
    assert.equal(postgres({ DATABASE_URL: 'postgresql://u@localhost/k' }).port, 5432);
    const tuned = postgres({ DATABASE_URL: 'postgres://u@h/k', DATABASE_POOL_SIZE: '4', DATABASE_STATEMENT_TIMEOUT_MS: '2500' });
    assert.deepEqual([tuned.poolMax, tuned.statementTimeoutMs], [4, 2500]);
    assert.match(
      problemsOf({ DATABASE_URL: 'postgres://u@h/k', DATABASE_POOL_SIZE: '0' })[0],
      /DATABASE_POOL_SIZE "0" is not a whole number from 1 to 100/,
    );
  });

  it('uses TLS that checks the certificate away from localhost unless told otherwise', () => {
    assert.deepEqual(postgres({ DATABASE_URL: 'postgres://u@db.example.com/k' }).tls, { mode: 'verify', caFile: null });
    assert.deepEqual(postgres({ DATABASE_URL: 'postgres://u@127.0.0.1/k' }).tls, { mode: 'off' });
    assert.deepEqual(postgres({ DATABASE_URL: 'postgres://u@h/k?sslmode=verify-full&sslrootcert=/etc/ca.pem' }).tls, {
      mode: 'verify',
      caFile: '/etc/ca.pem',
    });
    assert.deepEqual(postgres({ DATABASE_URL: 'postgres://u@h/k?sslmode=no-verify' }).tls, { mode: 'no-verify' });
    assert.deepEqual(postgres({ DATABASE_URL: 'postgres://u@h/k?sslmode=disable' }).tls, { mode: 'off' });
    assert.match(problemsOf({ DATABASE_URL: 'postgres://u@h/k?sslmode=prefer' })[0], /may fall back to an unencrypted connection/);
    assert.match(problemsOf({ DATABASE_URL: 'postgres://u@h/k?sslmode=yes' })[0], /sslmode "yes" is not supported/);
  });

  it('passes libpq options (a schema) and refuses parameters it does not use', () => {
    assert.equal(postgres({ DATABASE_URL: 'postgres://u@h/k?options=-c%20search_path%3Dklink' }).options, '-c search_path=klink');
    assert.match(problemsOf({ DATABASE_URL: 'postgres://u@h/k?pool=5' })[0], /has "pool=", which is not used/);
  });

  it('says what is missing from a PostgreSQL URL', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://h' });
    assert.ok(
      problems.some((p) => /names no database/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /names no user/.test(p)),
      problems.join('\n'),
    );
    assert.match(problemsOf({ DATABASE_URL: 'postgres://[bad' })[0], /not a valid PostgreSQL URL/);
  });

  it("Entra authentication: the managed identity's token is the password, over TLS only", () => {
    const settings = postgres({
      DATABASE_URL: 'postgres://klink-identity@srv.postgres.database.azure.com/klink?sslmode=require',
      DATABASE_AUTH: 'azure-managed-identity',
      AZURE_CLIENT_ID: 'c1',
    });
    assert.deepEqual([settings.auth, settings.password], [{ kind: 'azure-managed-identity', clientId: 'c1' }, null]);
    assert.match(problemsOf({ DATABASE_URL: 'postgres://u:pw@h/k', DATABASE_AUTH: 'azure-managed-identity' })[0], /carries a password/);
    assert.match(problemsOf({ DATABASE_URL: 'postgres://u@h/k?sslmode=disable', DATABASE_AUTH: 'azure-managed-identity' })[0], /use TLS/);
    assert.match(
      problemsOf({ DATABASE_URL: 'postgres://u@h/k', DATABASE_AUTH: 'kerberos' })[0],
      /DATABASE_AUTH "kerberos" is not supported/,
    );
  });

  it("refuses SQLite on App Service's /home, a network share, and says to use PostgreSQL", () => {
    const [problem] = problemsOf({ WEBSITE_SITE_NAME: 'klink-teams-app', DATABASE_URL: 'sqlite:/home/data/klink-teams.db' });
    assert.match(problem, /\/home\/data\/klink-teams.db, on App Service's \/home, a network share/);
    assert.match(problem, /WAL mode does not work on a network file system/);
    assert.match(problem, /Use PostgreSQL/);
    assert.deepEqual(problemsOf({ WEBSITE_SITE_NAME: 'klink-teams-app', DATABASE_URL: 'sqlite:/tmp/k.db' }), [], 'a local disk is fine');
    assert.deepEqual(problemsOf({ DATABASE_URL: 'sqlite:/home/me/k.db' }), [], 'and /home away from App Service');
  });

  it('reads PROCESS_ROLE: all by default, web or worker', () => {
    assert.equal(loadConfig({}).role, 'all');
    assert.equal(loadConfig({ PROCESS_ROLE: 'worker' }).role, 'worker');
    assert.match(problemsOf({ PROCESS_ROLE: 'both' })[0], /PROCESS_ROLE "both" is not one of all/);
  });
});
