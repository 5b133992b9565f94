/**
 * The real application on a free port, on a fresh database (SQLite file or PostgreSQL schema),
 * with delivery in this thread and its logs captured, plus helpers that speak to it the way
 * klink and Teams do.
 */
import { createApp, type App, type AppOptions } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { signBody } from '../../src/klink/verify';
import { type StoreKind, type TestDatabase, createTestDatabase } from './test-database';

export const TEST_SECRET = 'test-signing-secret';

export interface TestApp {
  app: App;
  url: string;
  database: TestDatabase;
  /** The test's temp dir (the app's data dir with SQLite). */
  dir: string;
  /** Every log line, as written (JSON). */
  logs: string[];
  /** POSTs a webhook body signed with TEST_SECRET unless headers say otherwise. */
  webhook(
    body: unknown,
    options?: { secret?: string; headers?: Record<string, string>; raw?: string | Buffer; signal?: AbortSignal },
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  /** POSTs a Bot Framework activity to /api/messages. */
  activity(activity: object): Promise<number>;
  /** Stops the app; `keepDatabase` leaves the database (and the dir) for a restart. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** A clock tests can move forward; time otherwise runs as usual. */
export class TestClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestAppOptions {
  /** The store to run on (default SQLite); ignored when `database` is given. */
  store?: StoreKind;
  /** An existing database, e.g. of an app that was closed with keepDatabase (a restart). */
  database?: TestDatabase;
  clock?: TestClock;
  idleCheckMs?: number;
  /** The tab's directory and frame-ancestors (tests serve a temp dir of fake files). */
  tab?: Pick<AppOptions, 'tabDir' | 'tabFrameAncestors'>;
}

export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(options.store ?? 'sqlite'));
  const clock = options.clock ?? new TestClock();
  const config = loadConfig({
    DATABASE_URL: database.url,
    KLINK_WEBHOOK_SECRET: TEST_SECRET,
    KLINK_ROOM_URL_TEMPLATE: 'https://app.klink.cloud/inbox/{roomId}?message={messageId}',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs: string[] = [];
  const log = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const app = await createApp({ ...config, dataDir: database.dir }, log, {
    idleCheckMs: options.idleCheckMs ?? 100,
    random: () => 0,
    now: clock.now,
    delivery: 'inline',
    ...options.tab,
  });
  const port = await app.listen(0);
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    database,
    dir: database.dir,
    logs,
    async webhook(body, webhookOptions = {}) {
      const raw = webhookOptions.raw ?? JSON.stringify(body);
      const response = await fetch(`${url}/api/klink/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature': signBody(webhookOptions.secret ?? TEST_SECRET, raw),
          ...webhookOptions.headers,
        },
        body: raw,
        signal: webhookOptions.signal,
      });
      const text = await response.text();
      return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async activity(activity) {
      const response = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async close(closeOptions = {}) {
      await app.close();
      if (!closeOptions.keepDatabase) await database.remove();
    },
  };
}
