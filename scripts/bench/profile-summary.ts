/** Summarises a V8 .cpuprofile (written by `node --cpu-prof`): self time by package and by function. */
import fs from 'node:fs';
import { round } from './stats';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled wall time, and the part of it the thread was busy (not idle). */
  totalMs: number;
  busyMs: number;
  byPackage: Array<{ name: string; ms: number; pctOfBusy: number }>;
  topFunctions: Array<{ name: string; where: string; ms: number; pctOfBusy: number }>;
}

/** Reads a profile and returns where the busy time went. */
export function summariseProfile(file: string, top = 12): ProfileSummary {
  const profile = parseProfile(fs.readFileSync(file, 'utf8'));
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((nodeId, i) => selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [nodeId, us] of selfUs) {
    const frame = frames.get(nodeId);
    if (frame === undefined) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const where = frame.url === '' ? pkg : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const pct = (us: number): number => round((100 * us) / busyUs, 1);
  return {
    file,
    totalMs: round(totalUs / 1000, 0),
    busyMs: round((totalUs - idleUs) / 1000, 0),
    byPackage: [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: round(us / 1000, 0), pctOfBusy: pct(us) })),
    topFunctions: [...byFunction.values()].sort((a, b) => b.us - a.us).slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: round(f.us / 1000, 0), pctOfBusy: pct(f.us) })),
  };
}

function parseProfile(text: string): CpuProfile {
  const value: unknown = JSON.parse(text);
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (!Array.isArray(record.nodes) || !Array.isArray(record.samples) || !Array.isArray(record.timeDeltas)) {
    throw new Error('not a V8 CPU profile (nodes, samples and timeDeltas expected)');
  }
  return record as unknown as CpuProfile;
}

/** node_modules package, app source folder, node core, or a V8 pseudo-frame. */
function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node core';
  const src = url.indexOf('/src/');
  if (src !== -1) return `src/${url.slice(src + '/src/'.length).split('/')[0]}`;
  if (url.includes('/scripts/')) return 'scripts/bench';
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src !== -1) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}
