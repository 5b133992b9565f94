/** The benchmark's results: their JSON shape, the targets, and the printed table (pure). */
import type { ChildReport } from './harness';
import type { EndToEndResult } from './phase-e2e';
import type { FanOutResult } from './phase-fanout';
import type { IngestResult } from './phase-ingest';
import type { CpuShares } from './machine';
import type { MixedResult } from './phase-mixed';
import type { ProfileSummary } from './profile-summary';
import { LIMITS } from './rate-usage';

export interface Environment {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  commit: string | null;
  /** Uncommitted changes under src/ or test/ when the run started (the code measured is the working tree). */
  workingTreeChanges: string[];
  databaseDir: string;
  databaseFileSystem: string;
}

export interface Target {
  name: string;
  target: string;
  value: string;
  /** null: nothing to judge (e.g. no card was sent). */
  pass: boolean | null;
}

export interface BenchResults {
  startedAt: string;
  durationS: number;
  environment: Environment;
  method: Record<string, string>;
  ingest?: IngestResult;
  endToEnd: EndToEndResult[];
  fanOut: FanOutResult[];
  mixed: MixedResult[];
  /** How busy the machine was during each phase (everything on it, this benchmark included). */
  machine: Array<{ phase: string; cpu: CpuShares | null }>;
  memory: { appPeakRssMb: number | null; children: ChildReport[] };
  targets: Target[];
  profiles: ProfileSummary[];
  failures: string[];
}

const TARGETS = {
  ingestPerS: 3000,
  ingestRatio: 0.35,
  ingestP99Ms: 25,
  e2eP99Ms: 100,
  fanOutRatio: 1.2,
  rssMb: 250,
  mixedAckP99Ms: 50,
  mixedDrainMs: 10_000,
} as const;

const n0 = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const n1 = (v: number): string =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 }) : 'n/a';
const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : 'n/a');
const ms = (v: number): string => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : n0(v)} ms` : 'n/a');

/** Each target (issues 3 and 8) that the phases run could measure. */
export function evaluateTargets(results: Omit<BenchResults, 'targets'>): Target[] {
  const targets: Target[] = [];
  const { ingest, endToEnd, fanOut, mixed, memory } = results;
  // One instance of each store has targets; two instances on one 2-core machine are reported only.
  for (const app of (ingest?.apps ?? []).filter((a) => a.instances === 1)) {
    targets.push({
      name: `(a) ingest, ${app.label}`,
      target: `≥ ${n0(TARGETS.ingestPerS)} /s`,
      value: `${n0(app.throughputPerS)} /s`,
      pass: app.throughputPerS >= TARGETS.ingestPerS,
    });
    targets.push({
      name: `(a) ack p99, ${app.label}`,
      target: `< ${TARGETS.ingestP99Ms} ms`,
      value: ms(app.ackLatencyMs.p99),
      pass: app.ackLatencyMs.p99 < TARGETS.ingestP99Ms,
    });
    if (app.store === 'sqlite') {
      targets.push({
        name: `(a) vs bare server, ${app.label}`,
        target: `≥ ${pct(TARGETS.ingestRatio)}`,
        value: pct(app.ratio),
        pass: app.ratio >= TARGETS.ingestRatio,
      });
    }
  }
  for (const b of endToEnd) {
    const all = b.delivered.missing === 0;
    targets.push({
      name: `(b) end-to-end p99, ${b.settings.store}`,
      target: `< ${TARGETS.e2eP99Ms} ms, all delivered`,
      value: `${ms(b.latencyMs.p99)}${all ? '' : `, ${b.delivered.missing} missing`}`,
      pass: all && b.latencyMs.p99 < TARGETS.e2eP99Ms,
    });
    targets.push(tenantTarget(`(b) ${b.settings.store}`, b.connector.maxPerTenant1s, b.connector.maxPerConversation1s));
  }
  for (const f of fanOut) {
    const ratio = (r: number): string => (Number.isFinite(r) ? r.toFixed(2) : 'n/a');
    targets.push({
      name: `(${f.settings.label}) fan-out vs rate-limit bound`,
      target: `≤ ${TARGETS.fanOutRatio.toFixed(2)} × bound`,
      value:
        `${ratio(f.ratioToBound)} × (${ms(f.allDeliveredMs)} vs ${ms(f.bound.ms)}; ${ratio(f.ratioToWindowBound)} × the 1 s-window floor)` +
        `${f.complete ? '' : `, ${f.channelsReached} of ${n0(f.settings.tenants * f.settings.channelsPerTenant)} delivered`}`,
      pass: f.complete && f.ratioToBound <= TARGETS.fanOutRatio,
    });
    targets.push(
      tenantTarget(
        `(${f.settings.label})`,
        f.connector.maxPerTenant1s,
        f.connector.maxPerConversation1s,
        f.complete ? '' : ` (only ${f.channelsReached} cards sent)`,
      ),
    );
  }
  for (const e of mixed) {
    const offered = e.settings.ratePerS;
    targets.push({
      name: `(e) mixed load, ${e.settings.store}`,
      target: `all ${n0(offered)}/s acked, p99 < ${TARGETS.mixedAckP99Ms} ms, no 5xx, drained < ${TARGETS.mixedDrainMs / 1000} s`,
      value: `${n0(e.acknowledgedPerS)}/s acked (${e.acknowledged} of ${e.sent}), p99 ${ms(e.ackLatencyMs.p99)}, ${e.serverErrors} 5xx, drained ${e.drainMs === null ? 'not within the timeout' : ms(e.drainMs)}`,
      pass:
        e.acknowledged === e.sent &&
        e.ackLatencyMs.p99 < TARGETS.mixedAckP99Ms &&
        e.serverErrors === 0 &&
        e.drainMs !== null &&
        e.drainMs < TARGETS.mixedDrainMs,
    });
    targets.push(tenantTarget(`(e) ${e.settings.store}`, e.connector.maxPerTenant1s, e.connector.maxPerConversation1s));
  }
  if (memory.appPeakRssMb !== null) {
    targets.push({
      name: '(d) app peak RSS',
      target: `< ${TARGETS.rssMb} MB`,
      value: `${n1(memory.appPeakRssMb)} MB`,
      pass: memory.appPeakRssMb < TARGETS.rssMb,
    });
  }
  return targets;
}

function tenantTarget(phase: string, perTenant: number, perConversation: number, note = ''): Target {
  return {
    name: `${phase} Teams limits kept`,
    target: `≤ ${LIMITS.tenantPer1s}/s/tenant, ≤ ${LIMITS.conversationPer1s}/s/conv.`,
    value: `max ${perTenant} per tenant, ${perConversation} per conv. in any 1 s${note}`,
    pass: note !== '' && perTenant === 0 ? null : perTenant <= LIMITS.tenantPer1s && perConversation <= LIMITS.conversationPer1s,
  };
}

type Row = [phase: string, measure: string, value: string];

/** The human-readable report. */
export function formatReport(results: BenchResults): string {
  const { environment: env } = results;
  const lines: string[] = [];
  lines.push(`klink-teams benchmark · ${results.startedAt} · ${results.durationS.toFixed(0)} s`);
  lines.push(
    `node ${env.node} · ${env.cpus} × ${env.cpuModel} · ${env.memoryGb} GB · commit ${env.commit ?? 'unknown'}${env.workingTreeChanges.length > 0 ? ` + ${env.workingTreeChanges.length} uncommitted change(s) under src/, test/` : ''}`,
  );
  lines.push(`SQLite databases in ${env.databaseDir} (${env.databaseFileSystem})`);
  for (const [key, text] of Object.entries(results.method)) lines.push(`${key}: ${text}`);
  lines.push('');
  lines.push(table(['phase', 'measure', 'value'], rows(results)));
  lines.push('');
  lines.push(
    table(
      ['target', 'goal', 'measured', 'result'],
      results.targets.map((t) => [t.name, t.target, t.value, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL']),
    ),
  );
  for (const profile of results.profiles) {
    lines.push('');
    lines.push(`CPU profile ${profile.file}: busy ${n0(profile.busyMs)} of ${n0(profile.totalMs)} ms sampled`);
    lines.push(`  by package: ${profile.byPackage.map((p) => `${p.name} ${p.pctOfBusy} %`).join(', ')}`);
    lines.push(
      table(
        ['self ms', '% busy', 'function (self time)', 'where'],
        profile.topFunctions.map((f) => [n0(f.ms), f.pctOfBusy.toFixed(1), f.name, f.where]),
      ),
    );
    if (profile.appInclusive.length > 0) {
      lines.push(
        table(
          ['incl. ms', '% busy', 'app function (inclusive time)', 'where'],
          profile.appInclusive.map((f) => [n0(f.ms), f.pctOfBusy.toFixed(1), f.name, f.where]),
        ),
      );
    }
  }
  const problems = results.memory.children.filter((c) => c.errors > 0 || c.warnings > 0 || c.otherLines > 0);
  for (const child of problems) {
    lines.push(
      `note: ${child.name} logged ${child.errors} error(s), ${child.warnings} warning(s), ${child.otherLines} other line(s) (${child.logFile}); first: ${child.firstProblem ?? ''}`,
    );
  }
  for (const failure of results.failures) lines.push(`FAILED: ${failure}`);
  return lines.join('\n');
}

function rows(results: BenchResults): Row[] {
  const out: Row[] = [];
  const { ingest: a } = results;
  if (a) {
    const s = a.settings;
    out.push(['(a)', `load: ${s.concurrency} in flight, keep-alive, warm-up ${s.warmupMs / 1000} s, window ${s.durationMs / 1000} s`, '']);
    const servers: Array<[string, typeof a.bare, number | null]> = [
      ['bare node:http + HMAC', a.bare, null],
      ...a.apps.map((app) => [`app, ${app.label}`, app, app.ratio] as [string, typeof a.bare, number]),
    ];
    for (const [label, server, ratio] of servers) {
      out.push([
        '',
        `${label}: throughput${ratio === null ? '' : ' (vs bare)'}`,
        `${n0(server.throughputPerS)} webhooks/s${ratio === null ? '' : ` (${pct(ratio)})`}`,
      ]);
      out.push(['', `${label}: ack p50 / p99`, `${ms(server.ackLatencyMs.p50)} / ${ms(server.ackLatencyMs.p99)}`]);
      out.push([
        '',
        `${label}: CPU server / load generator`,
        `${server.serverCpuCores.toFixed(2)} / ${server.loadGeneratorCpuCores.toFixed(2)} cores`,
      ]);
      const bad = Object.entries(server.statuses).filter(([status]) => status !== '200');
      if (bad.length > 0)
        out.push(['', `${label}: non-200 answers`, `${bad.map(([st, c]) => `${c}× ${st}`).join(', ')} (${server.firstError ?? ''})`]);
    }
    if (a.bare.serverCpuCores < 0.85) {
      out.push([
        '',
        'note',
        `bare server used ${a.bare.serverCpuCores.toFixed(2)} cores, the load generator ${a.bare.loadGeneratorCpuCores.toFixed(2)}: bare is client-bound, so app / bare is an upper bound`,
      ]);
    }
  }
  for (const b of results.endToEnd) {
    const s = b.settings;
    out.push([
      `(b) ${s.store}`,
      `load: ${s.ratePerS} webhooks/s for ${s.durationS} s, each a new room for 1 of ${s.channels} channels (${s.tenants} tenants); connector latency ${s.connectorLatencyMs} ms`,
      '',
    ]);
    out.push([
      '',
      'webhooks sent / acknowledged / delivered',
      `${b.webhooks.sent} / ${b.webhooks.acknowledged} / ${b.delivered.count} (by id ${b.delivered.byId}, by order ${b.delivered.byOrder})`,
    ]);
    out.push([
      '',
      'webhook → card at connector p50 / p90 / p99',
      `${ms(b.latencyMs.p50)} / ${ms(b.latencyMs.p90)} / ${ms(b.latencyMs.p99)} (max ${ms(b.latencyMs.max)})`,
    ]);
    out.push(['', 'webhook ack p50 / p99', `${ms(b.webhooks.ackLatencyMs.p50)} / ${ms(b.webhooks.ackLatencyMs.p99)}`]);
    out.push(['', 'connector requests (by route)', routes(b.connector.byRoute, b.connector.failed)]);
  }
  for (const c of results.fanOut) {
    const s = c.settings;
    const channels = s.tenants * s.channelsPerTenant;
    out.push([
      `(${s.label})`,
      `one webhook → ${n0(channels)} channels, ${s.tenants} tenants × ${s.channelsPerTenant}, ${s.store}, ${s.instances} instance${s.instances === 1 ? '' : 's'}; connector latency ${s.connectorLatencyMs} ms`,
      '',
    ]);
    out.push([
      '',
      'channels reached',
      `${n0(c.channelsReached)} of ${n0(channels)}${c.complete ? '' : ` (${c.outcome}${c.appResponsive ? '' : '; the app no longer answered: event loop blocked'})`}`,
    ]);
    out.push([
      '',
      'fan-out webhook acknowledged in',
      c.webhookStatus === 200 ? ms(c.webhookAckMs) : `status ${c.webhookStatus} after ${ms(c.webhookAckMs)}`,
    ]);
    out.push(['', 'first card / last card arrived', `${ms(c.firstCardMs)} / ${ms(c.lastCardArrivedMs)}`]);
    out.push(['', 'all delivered (last arrival + latency)', ms(c.allDeliveredMs)]);
    out.push([
      '',
      'bound: limits as steady rates (50/s per tenant)',
      `${ms(c.bound.ms)} (tenant span ${ms(c.bound.tenantSpanMs)} + latency)`,
    ]);
    out.push(['', 'measured / bound', Number.isFinite(c.ratioToBound) ? `${c.ratioToBound.toFixed(2)} ×` : 'n/a']);
    out.push([
      '',
      'floor: limits as 1 s windows (50 at once per tenant)',
      `${ms(c.windowBound.ms)} (tenant span ${ms(c.windowBound.tenantSpanMs)} + latency)`,
    ]);
    out.push(['', 'measured / floor', Number.isFinite(c.ratioToWindowBound) ? `${c.ratioToWindowBound.toFixed(2)} ×` : 'n/a']);
    out.push([
      '',
      'max requests in any 1 s: per tenant / per conv.',
      `${c.connector.maxPerTenant1s} (${c.connector.busiestTenant ?? '-'}) / ${c.connector.maxPerConversation1s}`,
    ]);
    out.push(['', 'connector requests (by route)', routes(c.connector.byRoute, c.connector.failed)]);
    out.push(['', 'subscribed', `${n0(c.subscription.channels)} channels in ${n0(c.subscription.ms)} ms`]);
  }
  for (const e of results.mixed) {
    const s = e.settings;
    out.push([
      `(e) ${s.store}`,
      `${n0(s.ratePerS)} webhooks/s for ${s.durationS} s to ${s.channels} channels (${n0(s.ratePerS / s.channels)}/s each, digesting); connector latency ${s.connectorLatencyMs} ms`,
      '',
    ]);
    out.push(['', 'webhooks sent / acknowledged (per second)', `${n0(e.sent)} / ${n0(e.acknowledged)} (${n0(e.acknowledgedPerS)}/s)`]);
    out.push(['', 'ack p50 / p99 / max', `${ms(e.ackLatencyMs.p50)} / ${ms(e.ackLatencyMs.p99)} / ${ms(e.ackLatencyMs.max)}`]);
    out.push([
      '',
      'answers',
      Object.entries(e.statuses)
        .map(([status, count]) => `${n0(count)}× ${status}`)
        .join(', '),
    ]);
    out.push([
      '',
      'backlog when the load ended / drained after',
      `${n0(e.backlogAtEnd)} pending / ${e.drainMs === null ? 'not within the timeout' : ms(e.drainMs)}`,
    ]);
    out.push([
      '',
      'max requests in any 1 s: per tenant / per conv.',
      `${e.connector.maxPerTenant1s} / ${e.connector.maxPerConversation1s}`,
    ]);
    out.push(['', 'connector requests (by route)', routes(e.connector.byRoute, e.connector.failed)]);
  }
  for (const { phase, cpu } of results.machine) {
    out.push(['machine', `${phase}: CPU busy / stolen by other guests`, cpu === null ? 'n/a' : `${pct(cpu.busy)} / ${pct(cpu.steal)}`]);
  }
  const apps = results.memory.children.filter((c) => c.kind === 'app');
  if (apps.length > 0) {
    out.push([
      '(d)',
      'app child peak RSS (start → peak), per phase',
      apps.map((c) => `${c.phase} ${n0(c.startRssMb)}→${n0(c.peakRssMb)} MB`).join(', '),
    ]);
    const bare = results.memory.children.find((c) => c.kind === 'bare');
    if (bare) out.push(['', 'bare server child (node baseline)', `${n0(bare.startRssMb)}→${n0(bare.peakRssMb)} MB`]);
  }
  return out;
}

function routes(byRoute: Record<string, number>, failed: Record<string, number>): string {
  const total = Object.values(byRoute).reduce((s, v) => s + v, 0);
  const parts = Object.entries(byRoute).map(([route, count]) => `${route} ${count}`);
  const failures = Object.entries(failed).map(([status, count]) => `${count}× ${status}`);
  return `${total}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}${failures.length > 0 ? `; not 2xx: ${failures.join(', ')}` : ''}`;
}

function table(header: string[], body: string[][]): string {
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => (cell ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
