/**
 * Summarises a V8 .cpuprofile: self time by package and by function (a native function is charged
 * to the package of the JavaScript that called it), and inclusive time of the app's own functions.
 */
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
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled wall time, and the part of it the thread was not idle. */
  totalMs: number;
  busyMs: number;
  byPackage: Array<{ name: string; ms: number; pctOfBusy: number }>;
  topFunctions: Array<{ name: string; where: string; ms: number; pctOfBusy: number }>;
  /** Functions under src/ by inclusive time (themselves and everything they called). */
  appInclusive: Array<{ name: string; where: string; ms: number; pctOfBusy: number }>;
}

/** Reads a profile and returns where the busy time went. */
export function summariseProfile(file: string, top = 12): ProfileSummary {
  const profile = parseProfile(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const byPackage = new Map<string, number>();
  const self = new Map<string, { name: string; where: string; us: number }>();
  const inclusive = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = nodes.get(nodeId);
    if (node === undefined) return;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    const frame = node.callFrame;
    const caller = isNative(frame) ? nearestScript(node.id, nodes, parent) : null;
    const pkg = packageOf(caller ?? frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const name = caller === null ? label(frame) : `${frame.functionName} (native) ← ${label(caller)}`;
    const where = locate(caller ?? frame, pkg);
    add(self, `${name}@${where}`, name, where, us);

    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = nodes.get(id)?.callFrame;
      if (f === undefined || !f.url.includes('/src/')) continue;
      const key = `${label(f)}@${locate(f, '')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, label(f), locate(f, ''), us);
    }
  });
  const busyUs = Math.max(1, totalUs - idleUs);
  const rows = (map: Map<string, { name: string; where: string; us: number }>) =>
    [...map.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: round(f.us / 1000, 0), pctOfBusy: round((100 * f.us) / busyUs, 1) }));
  return {
    file,
    totalMs: round(totalUs / 1000, 0),
    busyMs: round((totalUs - idleUs) / 1000, 0),
    byPackage: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round(us / 1000, 0), pctOfBusy: round((100 * us) / busyUs, 1) })),
    topFunctions: rows(self),
    appInclusive: rows(inclusive),
  };
}

function add(map: Map<string, { name: string; where: string; us: number }>, key: string, name: string, where: string, us: number): void {
  const entry = map.get(key) ?? { name, where, us: 0 };
  entry.us += us;
  map.set(key, entry);
}

function parseProfile(text: string): CpuProfile {
  const value: unknown = JSON.parse(text);
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (!Array.isArray(record.nodes) || !Array.isArray(record.samples) || !Array.isArray(record.timeDeltas)) {
    throw new Error('not a V8 CPU profile (nodes, samples and timeDeltas expected)');
  }
  return record as unknown as CpuProfile;
}

/** A C++ function called from JavaScript (a better-sqlite3 statement, a socket write), not a V8 pseudo-frame. */
function isNative(frame: CallFrame): boolean {
  return frame.url === '' && !frame.functionName.startsWith('(');
}

function nearestScript(id: number, nodes: ReadonlyMap<number, ProfileNode>, parent: ReadonlyMap<number, number>): CallFrame | null {
  for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
    const frame = nodes.get(at)?.callFrame;
    if (frame !== undefined && frame.url !== '') return frame;
  }
  return null;
}

function label(frame: CallFrame): string {
  return frame.functionName === '' ? '(anonymous)' : frame.functionName;
}

function locate(frame: CallFrame, pkg: string): string {
  return frame.url === '' ? pkg : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
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
  if (url.includes('/scripts/')) return 'scripts';
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src !== -1) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}
