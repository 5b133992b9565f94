/** A delivery worker's name in claims and leases: where it runs, and unique per start. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { threadId } from 'node:worker_threads';

export function workerName(): string {
  return `${os.hostname()}/${process.pid}${threadId === 0 ? '' : `.${threadId}`}/${randomBytes(3).toString('hex')}`;
}
