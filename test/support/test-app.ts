/**
 * The real application on a free port, with a real SQLite file in a temp dir and its logs
 * captured, plus helpers that speak to it the way klink and Teams do.
 */
import path from 'node:path';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { signBody } from '../../src/klink/verify';
import { makeTempDir } from './temp-dir';

export const TEST_SECRET = 'test-signing-secret';

export interface TestApp {
  app: App;
  url: string;
  dir: string;
  dbFile: string;
  /** Every log line, as written (JSON). */
  logs: string[];
  /** POSTs a webhook body signed with TEST_SECRET unless headers say otherwise. */
  webhook(body: unknown, options?: { secret?: string; headers?: Record<string, string>; raw?: string | Buffer }): Promise<{ status: number; json: Record<string, unknown> }>;
  /** POSTs a Bot Framework activity to /api/messages. */
  activity(activity: object): Promise<number>;
  /** Stops the app; `keepFiles` leaves the database for a restart. */
  close(options?: { keepFiles?: boolean }): Promise<void>;
}

/** A clock tests can move forward; time otherwise runs as usual. */
export class TestClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export async function startTestApp(
  env: Record<string, string> = {}, existing?: { dir: string }, clock = new TestClock(), options: { idleCheckMs?: number } = {},
): Promise<TestApp> {
  const temp = existing ? { dir: existing.dir, remove: () => undefined } : makeTempDir();
  const dbFile = path.join(temp.dir, 'klink-teams.db');
  const config = loadConfig({
    DATABASE_URL: `sqlite:${dbFile}`,
    KLINK_WEBHOOK_SECRET: TEST_SECRET,
    KLINK_ROOM_URL_TEMPLATE: 'https://app.klink.cloud/inbox/{roomId}?message={messageId}',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs: string[] = [];
  const log = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const app = createApp(config, log, { idleCheckMs: options.idleCheckMs ?? 100, random: () => 0, now: clock.now });
  const port = await app.listen(0);
  const url = `http://127.0.0.1:${port}`;
  return {
    app, url, dir: temp.dir, dbFile, logs,
    async webhook(body, options = {}) {
      const raw = options.raw ?? JSON.stringify(body);
      const response = await fetch(`${url}/api/klink/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature': signBody(options.secret ?? TEST_SECRET, raw),
          ...options.headers,
        },
        body: raw,
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
    async close(options = {}) {
      await app.close();
      if (!options.keepFiles) temp.remove();
    },
  };
}
