/**
 * `npm run backlog-probe`: does the server stay responsive while it works off a large backlog?
 * Reproduces the outside review's run on this machine: the real app (delivery in its worker
 * thread, as `npm start`) in a child process on a fresh database, a fake Bot Connector, two
 * subscribed channels; stores a backlog of signed, fuzzed webhooks (some with invalid ids such as
 * a lone surrogate in roomId); then, while the backlog drains, probes `/healthz` and one signed
 * webhook every 250 ms. Prints probe latency (p50/p90/p99/max) and how long the drain took; exits
 * 1 if any probe took 1 s or more, or the backlog did not drain within --max-drain-s.
 *
 *   npm run backlog-probe -- [--webhooks 20000] [--invalid-every 100] [--database sqlite:… | postgres://…] [--max-drain-s 600]
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { signBody } from '../src/klink/verify';
import { startFakeConnector } from '../test/support/fake-connector';
import { messageEvent } from '../test/support/fixtures';
import { startChild } from './bench/child';
import { closedLoop } from './bench/load';
import { round, summarize } from './bench/stats';
import { benchChannels, subscribeViaApi } from './bench/subscribe';
import { type BenchWebhook, postWebhook } from './bench/webhooks';

const PROBE_EVERY_MS = 250;
const PROBE_LIMIT_MS = 1_000;
const SECRET = 'backlog-probe-secret';
const HELP = `${fs
  .readFileSync(__filename, 'utf8')
  .split('*/')[0]
  .replace(/^\/\*\*|^ \* ?/gm, '')}\n`;

/** A small seeded generator, so a run can be repeated exactly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const PIECES = [
  'hello',
  '**bold**',
  '_x_',
  '[link](https://e.x/a)',
  ')',
  '..',
  '\u{1F600}',
  '<b>',
  '{{x}}',
  '\n',
  'ünïcødé',
  '#',
  '> quote',
];

/** Webhook n: random text and rooms; every `invalidEvery`-th carries a lone surrogate in roomId (valid JSON). */
function fuzzedWebhook(invalidEvery: number, random: () => number, channelType = 'whatsapp'): (n: number) => BenchWebhook {
  return (n) => {
    const text = Array.from({ length: Math.floor(random() * 40) }, () => PIECES[Math.floor(random() * PIECES.length)]).join(' ');
    const roomId = `probe-r-${Math.floor(random() * 500)}`;
    const marker = '__ROOM__';
    let body = JSON.stringify(messageEvent({ id: `probe-m-${n}`, roomId: marker, text, channelType }));
    // JSON.stringify never writes a lone surrogate escape itself: put the six characters \ud800 in by hand.
    body = body.replace(marker, invalidEvery > 0 && n % invalidEvery === 0 ? `${roomId}\\ud800` : roomId);
    return { body, signature: signBody(SECRET, body), dataId: `probe-m-${n}`, roomId };
  };
}

function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  return run().then(
    () => performance.now() - start,
    () => Number.POSITIVE_INFINITY,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      webhooks: { type: 'string', default: '20000' },
      'invalid-every': { type: 'string', default: '100' },
      database: { type: 'string' },
      'max-drain-s': { type: 'string', default: '600' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const total = Number(values.webhooks);
  const invalidEvery = Number(values['invalid-every']);
  const maxDrainMs = Number(values['max-drain-s']) * 1000;
  if (![total, invalidEvery, maxDrainMs].every((v) => Number.isInteger(v) && v >= 0))
    throw new Error('--webhooks, --invalid-every and --max-drain-s take whole numbers');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klink-backlog-probe-'));
  const connector = await startFakeConnector();
  const app = await startChild({
    name: 'app',
    kind: 'app',
    logFile: path.join(dir, 'app.log'),
    settings: {
      databaseUrl: values.database ?? `sqlite:${path.join(dir, 'klink-teams.db')}`,
      secret: SECRET,
      logLevel: 'warn',
      roomUrlTemplate: 'https://app.klink.cloud/inbox/{roomId}',
    },
  });
  try {
    await subscribeViaApi(
      [app.port],
      connector,
      benchChannels('probe', 1, 2, () => 'subscribe whatsapp'),
    );
    const storeStart = performance.now();
    const stored = await closedLoop({
      ports: [app.port],
      concurrency: 16,
      warmupMs: 0,
      durationMs: 3_600_000,
      maxRequests: total,
      webhook: fuzzedWebhook(invalidEvery, seeded(9)),
    });
    const storeMs = performance.now() - storeStart;
    process.stdout.write(
      `stored: ${total} webhooks in ${round(storeMs / 1000)} s, answers ${JSON.stringify(stored.statuses)}; backlog ${(await app.stats()).backlog}\n`,
    );

    const agent = new http.Agent({ keepAlive: true });
    // Probe webhooks are stored like any other but match no subscription: they add nothing to the backlog.
    const probeHook = fuzzedWebhook(0, seeded(11), 'telegram');
    const health: number[] = [];
    const webhook: number[] = [];
    const drainStart = performance.now();
    let drained = false;
    for (let n = 0; performance.now() - drainStart < maxDrainMs; n++) {
      const tick = performance.now();
      health.push(
        await timed(async () => {
          const response = await fetch(`http://127.0.0.1:${app.port}/healthz`, { signal: AbortSignal.timeout(10_000) });
          if (!response.ok) throw new Error(`healthz ${response.status}`);
        }),
      );
      webhook.push(
        await timed(async () => {
          const result = await postWebhook(agent, app.port, probeHook(total + n), () => performance.now());
          if (result.status !== 200) throw new Error(`webhook ${result.status}`);
        }),
      );
      if (n % 4 === 0 && (await app.stats()).backlog === 0) {
        drained = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, PROBE_EVERY_MS - (performance.now() - tick))));
    }
    agent.destroy();
    const drainMs = performance.now() - drainStart;
    const line = (name: string, values: number[]) => {
      const s = summarize(values);
      return `${name}: ${s.count} probes, p50 ${round(s.p50)} ms, p90 ${round(s.p90)} ms, p99 ${round(s.p99)} ms, max ${round(s.max)} ms\n`;
    };
    process.stdout.write(line('GET /healthz', health) + line('signed webhook', webhook));
    process.stdout.write(
      drained
        ? `drain: backlog worked off ${round(drainMs / 1000)} s after storing ended\n`
        : `drain: NOT worked off within ${maxDrainMs / 1000} s (backlog ${(await app.stats()).backlog})\n`,
    );
    process.stdout.write(`cards/requests at the fake Bot Connector: ${connector.requests.length}; app log: ${path.join(dir, 'app.log')}\n`);
    const slow = [...health, ...webhook].filter((ms) => ms >= PROBE_LIMIT_MS).length;
    if (slow > 0) process.stdout.write(`FAIL: ${slow} probes took ${PROBE_LIMIT_MS} ms or more\n`);
    return slow === 0 && drained ? 0 : 1;
  } finally {
    await app.stop().catch((err: unknown) => process.stderr.write(`stopping the app: ${(err as Error).message}\n`));
    await connector.close();
    // The database can be large; the app's log stays for reading.
    for (const file of fs.readdirSync(dir)) if (file.startsWith('klink-teams.db')) fs.rmSync(path.join(dir, file));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`backlog-probe: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
