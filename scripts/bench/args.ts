/** Command line of `npm run bench` (pure). */
import path from 'node:path';

import type { StoreKind } from '../../test/support/test-database';

export type Phase = 'a' | 'b' | 'c' | 'e';

export interface BenchOptions {
  phases: Phase[];
  stores: StoreKind[];
  mixedRate: number;
  mixedS: number;
  out: string;
  concurrency: number;
  warmupS: number;
  ingestS: number;
  e2eRate: number;
  e2eS: number;
  latencyMs: number;
  profile: boolean;
  logLevel: string;
  /** Where the app's SQLite files go (default: a new folder in the OS temp dir). */
  dbDir: string | null;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --only a,b,c,e        phases to run (default all; (d) peak RSS is measured in every phase run)
                          a  webhook ingest vs a bare node:http server: each store, and two
                             instances on one PostgreSQL database
                          b  end-to-end latency webhook → card at a steady load within Teams limits
                          c  fan-out of one webhook: c1 1,000 channels / 20 tenants, c2 2,000 / 20
                             (SQLite, one instance); c2 again on PostgreSQL with two instances
                          e  sustained mixed load: webhooks at a steady rate while 20 channels digest
  --stores sqlite,postgres   stores to measure (default both; PostgreSQL on TEST_POSTGRES_URL,
                          default postgres://postgres@127.0.0.1:5432/test, a schema per app)
  --mixed-rate <n>      (e) webhooks per second (default 1000)
  --mixed-duration <s>  (e) seconds of load (default 60)
  --out <file>          JSON results (default data/bench/bench-results.json); logs go next to it
  --concurrency <n>     (a) requests in flight (default 32)
  --warmup <s>          (a) warm-up per server (default 1.5)
  --duration <s>        (a) measured window per server (default 5)
  --rate <n>            (b) webhooks per second (default 20)
  --e2e-duration <s>    (b) seconds of paced load (default 15)
  --latency <ms>        (b, c) fake Bot Connector latency per request (default 20)
  --log-level <level>   the app's log level (default warn); the log is written to a file
  --db-dir <dir>        where the app's SQLite files go (default: the OS temp dir); e.g. /dev/shm
                        (tmpfs) separates the cost of disk commits from the app's own CPU cost
  --profile             CPU-profile each server during its measured part (V8 profiler; files in
                        profiles/ next to the results) and print where the time went
  --help`;

const DEFAULT_OUT = path.join('data', 'bench', 'bench-results.json');

/** Parses argv (after the script name); throws with what is wrong. */
export function parseArgs(argv: readonly string[], cwd: string): BenchOptions {
  const options: BenchOptions = {
    phases: ['a', 'b', 'c', 'e'],
    stores: ['sqlite', 'postgres'],
    mixedRate: 1000,
    mixedS: 60,
    out: path.resolve(cwd, DEFAULT_OUT),
    concurrency: 32,
    warmupS: 1.5,
    ingestS: 5,
    e2eRate: 20,
    e2eS: 15,
    latencyMs: 20,
    profile: false,
    logLevel: 'warn',
    dbDir: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    const number = (min: number, max: number): number => {
      const raw = value();
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} must be a number from ${min} to ${max} (got "${raw}")`);
      return n;
    };
    switch (flag) {
      case '--only':
        options.phases = parsePhases(value());
        break;
      case '--stores':
        options.stores = parseStores(value());
        break;
      case '--mixed-rate':
        options.mixedRate = number(1, 5000);
        break;
      case '--mixed-duration':
        options.mixedS = number(1, 600);
        break;
      case '--out':
        options.out = path.resolve(cwd, value());
        break;
      case '--concurrency':
        options.concurrency = Math.round(number(1, 256));
        break;
      case '--warmup':
        options.warmupS = number(0, 30);
        break;
      case '--duration':
        options.ingestS = number(0.5, 60);
        break;
      case '--rate':
        options.e2eRate = number(0.5, 200);
        break;
      case '--e2e-duration':
        options.e2eS = number(1, 60);
        break;
      case '--latency':
        options.latencyMs = Math.round(number(0, 1000));
        break;
      case '--log-level':
        options.logLevel = value();
        break;
      case '--db-dir':
        options.dbDir = path.resolve(cwd, value());
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option "${argv[i]}"`);
    }
  }
  return options;
}

function parsePhases(raw: string): Phase[] {
  const phases = new Set<Phase>();
  for (const part of raw
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '')) {
    if (part === 'a' || part === 'b' || part === 'c' || part === 'e') phases.add(part);
    else if (part === 'd') continue;
    else throw new Error(`--only: unknown phase "${part}" (use a, b, c, e; d is measured during the others)`);
  }
  if (phases.size === 0) throw new Error('--only: choose at least one of a, b, c, e (d, peak RSS, is measured during them)');
  return (['a', 'b', 'c', 'e'] as const).filter((p) => phases.has(p));
}

function parseStores(raw: string): StoreKind[] {
  const stores = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  for (const store of stores)
    if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--stores: unknown store "${store}" (use sqlite, postgres)`);
  if (stores.length === 0) throw new Error('--stores: name at least one of sqlite, postgres');
  return (['sqlite', 'postgres'] as const).filter((s) => stores.includes(s));
}
