/** Starting, querying and stopping the benchmark's child servers (parent side). */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type ChildMessage, type ChildSettings, type ChildStats, asChildMessage } from './ipc';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export type ChildKind = 'app' | 'bare';

export interface ChildOptions {
  /** Short name, used for the log and profile files. */
  name: string;
  kind: ChildKind;
  settings: ChildSettings;
  /** The child's stdout and stderr (the app's pino log) go here. */
  logFile: string;
  /** When set, the child runs with --cpu-prof and writes `<name>.cpuprofile` here. */
  profileDir?: string;
}

export interface ChildHandle {
  name: string;
  pid: number;
  port: number;
  logFile: string;
  profileFile: string | null;
  stats(): Promise<ChildStats>;
  /** Asks the child to close and waits for it to exit; kills it (by pid) when it does not within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL, for clean-up after a failure. */
  kill(): void;
}

const ENTRIES: Record<ChildKind, string> = {
  app: path.join(__dirname, 'app-server.ts'),
  bare: path.join(__dirname, 'bare-server.ts'),
};
const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;

/** Every child started and not yet exited, so a failing run can kill exactly those. */
const live = new Set<ChildHandle>();

/** Kills the children this benchmark started that are still running. */
export function killLiveChildren(): void {
  for (const child of live) child.kill();
}

/** Forks a child server (TypeScript through tsx) and resolves once it listens. */
export async function startChild(options: ChildOptions): Promise<ChildHandle> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const logFd = fs.openSync(options.logFile, 'w');
  const profileArgs: string[] = [];
  let profileFile: string | null = null;
  if (options.profileDir !== undefined) {
    fs.mkdirSync(options.profileDir, { recursive: true });
    profileFile = path.join(options.profileDir, `${options.name}.cpuprofile`);
    fs.rmSync(profileFile, { force: true });
    profileArgs.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${options.name}.cpuprofile`);
  }
  let child: ChildProcess;
  try {
    child = fork(ENTRIES[options.kind], [JSON.stringify(options.settings)], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx', ...profileArgs],
      stdio: ['ignore', logFd, logFd, 'ipc'],
    });
  } finally {
    fs.closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the ${options.name} child process`);

  let exited = child.exitCode !== null;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const pending = new Map<number, (message: ChildMessage) => void>();
  let nextId = 1;
  child.on('message', (raw: unknown) => {
    const message = asChildMessage(raw);
    if (message === null || message.type === 'ready' || message.id === undefined) return;
    const resolve = pending.get(message.id);
    pending.delete(message.id);
    resolve?.(message);
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${options.name} did not start within ${READY_TIMEOUT_MS} ms (log: ${options.logFile})`)), READY_TIMEOUT_MS);
    const onMessage = (raw: unknown): void => {
      const message = asChildMessage(raw);
      if (message?.type === 'ready') done(() => resolve(message.port));
      else if (message?.type === 'failed') fail(new Error(`${options.name} failed to start: ${message.message.split('\n')[0]} (log: ${options.logFile})`));
    };
    const onExit = (code: number | null): void => fail(new Error(`${options.name} exited with ${code} before it was ready (log: ${options.logFile})`));
    const done = (then: () => void): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      then();
    };
    const fail = (error: Error): void => done(() => {
      if (!exited) process.kill(pid, 'SIGKILL');
      reject(error);
    });
    child.on('message', onMessage);
    child.once('exit', onExit);
  });

  const request = (type: 'stats' | 'stop', timeoutMs: number): Promise<ChildMessage> => {
    const id = nextId++;
    return new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${options.name} did not answer "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.send({ id, type });
    });
  };

  const handle: ChildHandle = {
    name: options.name,
    pid,
    port,
    logFile: options.logFile,
    profileFile,
    async stats() {
      const answer = await request('stats', REQUEST_TIMEOUT_MS);
      if (answer.type !== 'stats') throw new Error(`${options.name} could not report stats: ${answer.type === 'failed' ? answer.message : answer.type}`);
      return answer.stats;
    },
    async stop(timeoutMs = REQUEST_TIMEOUT_MS) {
      if (exited) {
        live.delete(handle);
        return;
      }
      const deadline = Date.now() + timeoutMs;
      try {
        await request('stop', timeoutMs);
        await Promise.race([exitPromise, new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
      } catch (err) {
        process.stderr.write(`bench: ${(err as Error).message}; killing pid ${pid}\n`);
      }
      if (!exited) {
        process.kill(pid, 'SIGKILL');
        await exitPromise;
      }
      live.delete(handle);
    },
    kill() {
      if (!exited) process.kill(pid, 'SIGKILL');
      live.delete(handle);
    },
  };
  live.add(handle);
  return handle;
}
