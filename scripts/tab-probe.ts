/**
 * `npm run tab-probe`: how fast the tab API answers under a small load. Starts the app in local
 * mode on a temporary SQLite file, web role only (no sign-in and no membership lookup: what is
 * measured is the route, the store and the answer), installs it in one channel with three
 * subscriptions, then sends the tab's reads and the filter check from `--concurrency` callers
 * (default 8) for `--requests` requests each route (default 2,000) and prints p50/p95/p99 per
 * route. Outside local mode each call also verifies a token (jose, cached keys) and looks
 * membership up in a 60 s cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { emptyFilters } from '../src/subscriptions/filters';

const USAGE = 'usage: npm run tab-probe -- [--requests N] [--concurrency N]';
const CHANNEL = '19:probe-channel@thread.tacv2';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) return void console.log(USAGE);
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(concurrency) || concurrency < 1) {
    console.error(USAGE);
    process.exit(2);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klink-tab-probe-'));
  try {
    const config = loadConfig({
      DATABASE_URL: `sqlite:${path.join(dir, 'probe.db')}`,
      KLINK_WEBHOOK_SECRET: 'probe-secret',
      LOG_LEVEL: 'error',
      PROCESS_ROLE: 'web',
    });
    const app = await createApp({ ...config, dataDir: dir }, createLogger('error'));
    const port = await app.listen(0);
    const base = `http://127.0.0.1:${port}/api/tab`;
    const now = Date.now();
    await app.store.conversations.upsertConversation(
      {
        id: CHANNEL,
        type: 'channel',
        tenantId: '00000000-0000-4000-8000-000000000001',
        serviceUrl: 'https://smba.trafficmanager.net/teams/',
        channelId: 'msteams',
        teamId: '19:probe-team@thread.tacv2',
        botId: 'probe-bot',
        botName: 'klink',
      },
      now,
    );
    for (const channels of [['whatsapp'], ['telegram'], ['line', 'viber']]) {
      await app.store.conversations.addSubscription(CHANNEL, { ...emptyFilters(), channels, vip: true }, 'probe', now);
    }
    const cid = encodeURIComponent(CHANNEL);
    const routes: Array<{ name: string; init?: RequestInit; url: string }> = [
      { name: 'GET subscriptions', url: `${base}/conversations/${cid}/subscriptions` },
      { name: 'GET conversation', url: `${base}/conversations/${cid}` },
      { name: 'GET deliveries', url: `${base}/conversations/${cid}/deliveries` },
      {
        name: 'POST filters/check',
        url: `${base}/conversations/${cid}/filters/check`,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ filters: 'whatsapp vip tag:gold' }),
        },
      },
    ];
    console.log(
      `tab API, local mode, SQLite, ${requests} requests per route, ${concurrency} at a time; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`,
    );
    for (const route of routes) {
      const times: number[] = [];
      let failures = 0;
      let next = 0;
      const caller = async () => {
        while (next < requests) {
          next++;
          const start = performance.now();
          const response = await fetch(route.url, route.init);
          await response.arrayBuffer();
          times.push(performance.now() - start);
          if (!response.ok) failures++;
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, caller));
      const seconds = (performance.now() - started) / 1000;
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
      console.log(
        `${route.name.padEnd(20)} ${(times.length / seconds).toFixed(0).padStart(6)}/s  p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  p99 ${at(0.99)} ms  failures ${failures}`,
      );
    }
    await app.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
