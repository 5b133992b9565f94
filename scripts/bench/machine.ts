/**
 * How busy the machine was while a phase ran, from /proc/stat (Linux): the share of CPU time
 * that was busy, and the share "stolen" by other virtual machines on the same host. On a shared
 * VM the second moves throughput numbers as much as any code change does.
 */
import fs from 'node:fs';

export interface CpuShares {
  /** Busy (not idle, not waiting for I/O) share of all cores' time, 0..1. */
  busy: number;
  /** Share stolen by the hypervisor for other guests, 0..1. */
  steal: number;
}

type Sample = { total: number; idle: number; steal: number } | null;

function sample(): Sample {
  try {
    const [line] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
    const [, ...values] = line.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
    return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // not Linux
    throw err;
  }
}

/** Starts measuring; the returned function gives the shares since then (null where /proc/stat is missing). */
export function measureCpu(): () => CpuShares | null {
  const start = sample();
  return () => {
    const end = sample();
    if (start === null || end === null || end.total === start.total) return null;
    const total = end.total - start.total;
    return { busy: 1 - (end.idle - start.idle) / total, steal: (end.steal - start.steal) / total };
  };
}
