/**
 * `npm run bench [-- --only a,c --stores postgres --out file.json --profile]`
 *
 * Benchmarks the pipeline on loopback against the fake Bot Connector, on SQLite and on PostgreSQL
 * side by side: (a) webhook ingest vs a bare node:http server (and two instances on one
 * PostgreSQL database), (b) end-to-end latency webhook → card, (c) fan-out of one event to
 * 1,000 / 2,000 channels against the Teams rate-limit bound (2,000 also with two PostgreSQL
 * instances), (d) peak RSS, (e) sustained mixed load while channels digest.
 * Prints a table and writes JSON. The app runs in child processes in every phase; the load
 * generator and the fake connector run here. See scripts/bench/ for each phase.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchOptions, USAGE, parseArgs } from './bench/args';
import { REPO_ROOT, killLiveChildren, useCompiled } from './bench/child';
import { Harness } from './bench/harness';
import { runEndToEnd } from './bench/phase-e2e';
import { runFanOut } from './bench/phase-fanout';
import { type IngestVariant, runIngest } from './bench/phase-ingest';
import { measureCpu } from './bench/machine';
import { runMixed } from './bench/phase-mixed';
import { type ProfileSummary, summariseProfile } from './bench/profile-summary';
import { type BenchResults, type Environment, evaluateTargets, formatReport } from './bench/report';

const FAN_OUT_TENANTS = 20;

/** Compiles the servers the way they are deployed, so the numbers are not those of tsx. */
function compileServers(): string {
  // Inside the project (data/ is ignored by git) so the compiled code finds node_modules.
  const dir = path.join(REPO_ROOT, 'data', 'bench', 'build');
  fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write('bench: compiling the servers …\n');
  // The build info goes with this output: tsconfig.build.json's (in dist/) belongs to `npm start`,
  // which would otherwise skip its build, and a second bench would find nothing to emit here.
  const buildInfo = path.join(dir, 'tsconfig.bench.tsbuildinfo');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.bench.json', '--outDir', dir, '--tsBuildInfoFile', buildInfo],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  useCompiled(dir);
  return dir;
}

async function run(options: BenchOptions): Promise<BenchResults> {
  const buildDir = compileServers();
  process.once('exit', () => fs.rmSync(buildDir, { recursive: true, force: true }));
  const began = Date.now();
  const outputDir = path.dirname(options.out);
  const harness = new Harness({ outputDir, profile: options.profile, appLogLevel: options.logLevel, dbParentDir: options.dbDir });
  const results: Omit<BenchResults, 'targets'> = {
    startedAt: new Date(began).toISOString(),
    durationS: 0,
    environment: environment(harness.databaseDir),
    method: {
      processes:
        'every server (bare, app) runs alone in its own child process, compiled to JavaScript and started with the node flags of `npm start` (as deployed: --max-old-space-size=256); load generator and fake Bot Connector run in the parent; all traffic on 127.0.0.1',
      subscriptions:
        "through the real endpoint: one `@klink subscribe …` channelCommand activity per channel POSTed to /api/messages (16 at a time); the bot's confirmations are not counted",
      ingest:
        '(a) signed message webhooks, each a distinct data.id; the app runs with its delivery worker but nothing is subscribed, so nothing is posted; with two instances the load generator sends request n to instance n mod 2',
      stores: `${options.stores.join(' and ')}: SQLite a file in the database folder below; PostgreSQL 15 on 127.0.0.1 (synchronous_commit on), a schema of its own per app (or per pair of instances)`,
      mixed: `(e) ${options.mixedRate} webhooks/s for ${options.mixedS} s on an absolute schedule (up to 256 in flight), 20 channels in 4 tenants, channel i subscribes \`whatsapp contact:<i>\` and webhook n comes from contact n mod 20 in one of the channel's 20 rooms: 50 messages/s per channel, so delivery digests; "drained" = the app's store holds no pending delivery`,
      endToEnd:
        "(b) channel i subscribes `whatsapp contact:<contact i>` and webhook n comes from contact n mod 50 in a new room: one card per webhook. (With all 50 channels on `whatsapp`, 20 webhooks/s would be 20 cards/s per channel, over Teams' 7/s, and would measure pacing, not latency.) Latency = connector receivedAt - Date.now() before the webhook was sent; cards are matched by the data.id / room id in the request body, else by order per channel",
      fanOut:
        "(c) every channel subscribes `whatsapp` (tenants in turn; the bot's answers count against each tenant's budget, so the webhook is sent once their 1 s windows have passed); one webhook; \"all delivered\" = last channel's first request received + connector latency. Bound = Teams' limits as steady rates (a tenant's n cards at 50/s take (n-1)/50 s); floor = the limits as 1 s windows (a tenant's first 50 at once), which the pacer enforces",
      rss: "(d) is the app child's peak RSS: max of process.resourceUsage().maxRSS and a 50 ms rss sampler, per phase (see the bare server for the node baseline)",
      ...(options.profile
        ? { profiling: 'ON: the V8 profiler slows the servers; use this run to see where time goes, not for the numbers' }
        : {}),
    },
    endToEnd: [],
    fanOut: [],
    mixed: [],
    machine: [],
    memory: { appPeakRssMb: null, children: harness.children },
    profiles: [],
    failures: [],
  };
  const attempt = async (name: string, phase: () => Promise<void>): Promise<void> => {
    process.stderr.write(`bench: ${name} …\n`);
    const cpu = measureCpu();
    try {
      await phase();
      results.machine.push({ phase: name, cpu: cpu() });
    } catch (err) {
      results.failures.push(`${name}: ${(err as Error).message}`);
      process.stderr.write(`bench: ${name} failed: ${(err as Error).stack ?? String(err)}\n`);
      killLiveChildren();
    }
  };
  try {
    if (options.phases.includes('a')) {
      const variants: IngestVariant[] = options.stores.flatMap((store): IngestVariant[] =>
        store === 'sqlite'
          ? [{ label: 'SQLite', store, instances: 1 }]
          : [
              { label: 'PostgreSQL', store, instances: 1 },
              { label: 'PostgreSQL, 2 instances', store, instances: 2 },
            ],
      );
      await attempt('(a) ingest', async () => {
        results.ingest = await runIngest(
          harness,
          {
            concurrency: options.concurrency,
            warmupMs: options.warmupS * 1000,
            durationMs: options.ingestS * 1000,
            maxRequests: 500_000,
          },
          variants,
        );
      });
    }
    for (const store of options.phases.includes('b') ? options.stores : []) {
      await attempt(`(b) end-to-end, ${store}`, async () => {
        results.endToEnd.push(
          await runEndToEnd(harness, {
            store,
            channels: 50,
            tenants: 10,
            ratePerS: options.e2eRate,
            durationS: options.e2eS,
            connectorLatencyMs: options.latencyMs,
          }),
        );
      });
    }
    if (options.phases.includes('c')) {
      const runs = [
        ...(options.stores.includes('sqlite')
          ? ([
              ['c1', 50, 'sqlite', 1],
              ['c2', 100, 'sqlite', 1],
            ] as const)
          : []),
        ...(options.stores.includes('postgres') ? ([['c2-pg2', 100, 'postgres', 2]] as const) : []),
      ];
      for (const [label, perTenant, store, instances] of runs) {
        await attempt(`(${label}) fan-out`, async () => {
          results.fanOut.push(
            await runFanOut(harness, {
              label,
              store,
              instances,
              tenants: FAN_OUT_TENANTS,
              channelsPerTenant: perTenant,
              connectorLatencyMs: options.latencyMs,
              timeoutMs: 60_000,
            }),
          );
        });
      }
    }
    for (const store of options.phases.includes('e') ? options.stores : []) {
      await attempt(`(e) mixed load, ${store}`, async () => {
        results.mixed.push(
          await runMixed(harness, {
            store,
            ratePerS: options.mixedRate,
            durationS: options.mixedS,
            channels: 20,
            tenants: 4,
            roomsPerChannel: 20,
            connectorLatencyMs: options.latencyMs,
            drainTimeoutMs: 60_000,
          }),
        );
      });
    }
  } finally {
    await harness.close();
  }
  const appPeaks = harness.children
    .filter((c) => c.kind === 'app')
    .map((c) => c.peakRssMb)
    .filter(Number.isFinite);
  results.memory.appPeakRssMb = appPeaks.length > 0 ? Math.max(...appPeaks) : null;
  results.profiles = profiles(harness.children.map((c) => c.profileFile));
  results.durationS = (Date.now() - began) / 1000;
  return { ...results, targets: evaluateTargets(results) };
}

function profiles(files: Array<string | null>): ProfileSummary[] {
  const out: ProfileSummary[] = [];
  for (const file of files) {
    if (file === null) continue;
    try {
      out.push(summariseProfile(file));
    } catch (err) {
      process.stderr.write(`bench: could not read profile ${file}: ${(err as Error).message}\n`);
    }
  }
  return out;
}

function environment(databaseDir: string): Environment {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    commit: git(['rev-parse', '--short', 'HEAD']),
    workingTreeChanges: (git(['status', '--porcelain', '--', 'src', 'test']) ?? '').split('\n').filter((l) => l.trim() !== ''),
    databaseDir,
    databaseFileSystem: fileSystemOf(databaseDir),
  };
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    process.stderr.write(`bench: git ${args.join(' ')} failed (${(err as Error).message.split('\n')[0]}); not reported\n`);
    return null;
  }
}

/** Commit latency depends on it: tmpfs does not sync to a disk, ext4 does. */
function fileSystemOf(dir: string): string {
  const names: Record<number, string> = {
    0xef53: 'ext2/3/4',
    0x01021994: 'tmpfs',
    0x794c7630: 'overlayfs',
    0x58465342: 'xfs',
    0x9123683e: 'btrfs',
    0x6969: 'nfs',
  };
  const type = fs.statfsSync(dir).type;
  return names[type] ?? `file system type 0x${type.toString(16)}`;
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseArgs(argv, process.cwd());
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const results = await run(options);
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${formatReport(results)}\n\nresults: ${options.out}\n`);
  return results.failures.length > 0 ? 1 : 0;
}

/** Every phase is bounded; this is the backstop for the whole run. */
const RUN_LIMIT_MS = 25 * 60_000;
setTimeout(() => {
  killLiveChildren();
  process.stderr.write(`bench: still running after ${RUN_LIMIT_MS / 60_000} minutes; stopped\n`);
  process.exit(1);
}, RUN_LIMIT_MS).unref();

const onSignal = (signal: NodeJS.Signals): void => {
  killLiveChildren();
  process.stderr.write(`bench: stopped by ${signal}\n`);
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    killLiveChildren();
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
