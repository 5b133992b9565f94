/** What every phase shares: databases (SQLite files, PostgreSQL schemas), child servers, their logs, RSS and profiles. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type StoreKind, admin, postgresUrl } from '../../test/support/test-database';
import { type ChildHandle, type ChildKind, startChild } from './child';
import { mb } from './units';

export interface ChildReport {
  phase: string;
  name: string;
  kind: ChildKind;
  /** RSS once listening, before any load. */
  startRssMb: number;
  /** Peak RSS over the child's life: max of the kernel's maxRSS and the 50 ms sampler. */
  peakRssMb: number;
  logFile: string;
  /** pino lines at warn (40), and at error (50) or above. */
  warnings: number;
  errors: number;
  /** Lines that are not pino JSON (node warnings, stack traces on stderr). */
  otherLines: number;
  firstProblem: string | null;
  /** CPU profile of the measured part (with --profile). */
  profileFile: string | null;
}

/** A child that does not answer within this (a blocked event loop) is killed. */
const FINISH_TIMEOUT_MS = 5_000;

export interface HarnessOptions {
  /** Where logs (and profiles) go: next to the results file. */
  outputDir: string;
  profile: boolean;
  appLogLevel: string;
  /** Parent of the run's database folder (default: the OS temp dir). */
  dbParentDir: string | null;
}

export class Harness {
  /** The klink signing secret of this run (random; both servers and the load generator use it). */
  readonly secret = randomBytes(16).toString('hex');
  readonly children: ChildReport[] = [];
  private readonly tempDir: string;
  private readonly startRss = new Map<ChildHandle, number>();
  private readonly profiles = new Map<ChildHandle, string>();
  private readonly schemas: string[] = [];

  constructor(private readonly options: HarnessOptions) {
    this.tempDir = fs.mkdtempSync(path.join(options.dbParentDir ?? os.tmpdir(), 'klink-bench-'));
  }

  /** A progress line on stderr (the table goes to stdout). */
  note(text: string): void {
    process.stderr.write(`bench:   ${text}\n`);
  }

  /** Where the databases live (reported: commit cost depends on its file system). */
  get databaseDir(): string {
    return this.tempDir;
  }

  /** A fresh, empty database: a SQLite file in the run's folder, or a schema of its own on the local PostgreSQL. */
  async database(store: StoreKind, name: string): Promise<string> {
    if (store === 'sqlite') return `sqlite:${path.join(this.tempDir, `${name}.db`)}`;
    const schema = `kb_${name.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase();
    await admin((client) => client.query(`CREATE SCHEMA ${schema}`));
    this.schemas.push(schema);
    return postgresUrl(schema);
  }

  /** Starts a child server; an app runs on `databaseUrl` (default: a fresh SQLite file). */
  async start(name: string, kind: ChildKind, databaseUrl?: string): Promise<ChildHandle> {
    const child = await startChild({
      name,
      kind,
      settings: {
        databaseUrl: databaseUrl ?? (await this.database('sqlite', name)),
        secret: this.secret,
        logLevel: this.options.appLogLevel,
        roomUrlTemplate: 'https://app.klink.cloud/inbox/{roomId}?message={messageId}',
      },
      logFile: path.join(this.options.outputDir, 'bench-logs', `${name}.log`),
    });
    this.startRss.set(child, (await child.stats()).rssBytes);
    return child;
  }

  /**
   * Runs `work` (the measured part of a phase) with the child's CPU profiler on when profiling was
   * asked for; the profile is written to <output>/profiles/<child>.cpuprofile.
   */
  async profiled<T>(child: ChildHandle, work: () => Promise<T>): Promise<T> {
    if (!this.options.profile) return work();
    const file = path.join(this.options.outputDir, 'profiles', `${child.name}.cpuprofile`);
    await child.profileStart();
    try {
      return await work();
    } finally {
      await child.profileStop(file).then(
        () => this.profiles.set(child, file),
        (err: unknown) => this.note(`no CPU profile of ${child.name}: ${(err as Error).message}`),
      );
    }
  }

  /** Reads the child's peak RSS, stops it, and summarises its log. */
  async finish(phase: string, child: ChildHandle): Promise<ChildReport> {
    let peakRssMb = Number.NaN;
    try {
      const stats = await child.stats(FINISH_TIMEOUT_MS);
      peakRssMb = mb(Math.max(stats.maxRssBytes, stats.sampledPeakRssBytes));
    } catch (err) {
      this.note(`peak RSS of ${child.name} unknown: ${(err as Error).message}`);
    }
    await child.stop(FINISH_TIMEOUT_MS);
    const report: ChildReport = {
      phase,
      name: child.name,
      kind: child.kind,
      startRssMb: mb(this.startRss.get(child) ?? Number.NaN),
      peakRssMb,
      logFile: child.logFile,
      ...summariseLog(child.logFile),
      profileFile: this.profiles.get(child) ?? null,
    };
    this.children.push(report);
    return report;
  }

  /** Removes the databases. */
  async close(): Promise<void> {
    fs.rmSync(this.tempDir, { recursive: true, force: true });
    for (const schema of this.schemas.splice(0)) await admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  }
}

function summariseLog(file: string): Pick<ChildReport, 'warnings' | 'errors' | 'otherLines' | 'firstProblem'> {
  let warnings = 0;
  let errors = 0;
  let otherLines = 0;
  let firstProblem: string | null = null;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /DeprecationWarning|--trace-deprecation/.test(line)) continue;
    const level = logLevel(line);
    if (level === null) otherLines++;
    else if (level < 40) continue;
    else if (level < 50) warnings++;
    else errors++;
    firstProblem ??= line.slice(0, 300);
  }
  return { warnings, errors, otherLines, firstProblem };
}

/** The pino level of a JSON log line, or null when the line is not one. */
function logLevel(line: string): number | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(line);
    const level = typeof parsed === 'object' && parsed !== null ? (parsed as { level?: unknown }).level : undefined;
    return typeof level === 'number' ? level : null;
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}
