/** Messages between the benchmark (parent) and the servers it measures (child processes). */

/** What a child server is started with (passed as one JSON argument). */
export interface ChildSettings {
  /** DATABASE_URL of the app: a SQLite file or a PostgreSQL schema (unused by the bare server). */
  databaseUrl: string;
  /** The klink signing secret both servers verify with. */
  secret: string;
  /** pino level of the app's logger. */
  logLevel: string;
  /** KLINK_ROOM_URL_TEMPLATE for the app: puts the message id in "Open in klink", so cards can be matched. */
  roomUrlTemplate: string;
}

/** Resource usage of a child, measured inside it. */
export interface ChildStats {
  /** `process.resourceUsage().maxRSS`, in bytes: the kernel's peak resident set size. */
  maxRssBytes: number;
  /** Highest `process.memoryUsage.rss()` seen by the child's 50 ms sampler. */
  sampledPeakRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** `process.cpuUsage()` since the child started, in microseconds. */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** Active subscriptions in the app's store (0 for the bare server). */
  subscriptions: number;
  /** Work the app's store still holds: pending deliveries, plus 1 while events wait to be dispatched (0 for the bare server). */
  backlog: number;
}

export type ParentRequest =
  | { id: number; type: 'stats' | 'stop' | 'profile-start' }
  /** Stops the CPU profiler and writes the .cpuprofile to `file`. */
  | { id: number; type: 'profile-stop'; file: string };

export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; id: number; stats: ChildStats }
  /** A stop or profile request was carried out. */
  | { type: 'done'; id: number }
  | { type: 'failed'; id?: number; message: string };

/** Reads the settings argument of a child; throws with what is wrong. */
export function parseChildSettings(raw: string | undefined): ChildSettings {
  if (raw === undefined) throw new Error('child server started without its settings argument');
  const value: unknown = JSON.parse(raw);
  if (typeof value !== 'object' || value === null) throw new Error('child settings are not an object');
  const record = value as Record<string, unknown>;
  const text = (key: keyof ChildSettings): string => {
    const field = record[key];
    if (typeof field !== 'string') throw new Error(`child settings: "${key}" must be a string`);
    return field;
  };
  return { databaseUrl: text('databaseUrl'), secret: text('secret'), logLevel: text('logLevel'), roomUrlTemplate: text('roomUrlTemplate') };
}

/** Reads a request from the parent, or null for anything else. */
export function asParentRequest(message: unknown): ParentRequest | null {
  if (typeof message !== 'object' || message === null) return null;
  const { id, type, file } = message as Record<string, unknown>;
  if (typeof id !== 'number') return null;
  if (type === 'stats' || type === 'stop' || type === 'profile-start') return { id, type };
  if (type === 'profile-stop' && typeof file === 'string') return { id, type, file };
  return null;
}

/** Reads a message from a child, or null for anything else. */
export function asChildMessage(message: unknown): ChildMessage | null {
  if (typeof message !== 'object' || message === null) return null;
  const record = message as Record<string, unknown>;
  switch (record.type) {
    case 'ready':
      return typeof record.port === 'number' ? { type: 'ready', port: record.port } : null;
    case 'stats':
      return typeof record.id === 'number' && typeof record.stats === 'object' && record.stats !== null
        ? { type: 'stats', id: record.id, stats: record.stats as ChildStats }
        : null;
    case 'done':
      return typeof record.id === 'number' ? { type: 'done', id: record.id } : null;
    case 'failed':
      return typeof record.message === 'string'
        ? { type: 'failed', id: typeof record.id === 'number' ? record.id : undefined, message: record.message }
        : null;
    default:
      return null;
  }
}
