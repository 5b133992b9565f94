/** Starting, querying and stopping the benchmark's child servers (parent side). */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type ChildMessage, type ChildSettings, type ChildStats, type ParentRequest, asChildMessage } from './ipc';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export type ChildKind = 'app' | 'bare';

export interface ChildOptions {
  /** Short name, used for the log and profile files. */
  name: string;
  kind: ChildKind;
  settings: ChildSettings;
  /** The child's stdout and stderr (the app's pino log) go here. */
  logFile: string;
}

export interface ChildHandle {
  name: string;
  kind: ChildKind;
  pid: number;
  port: number;
  logFile: string;
  stats(timeoutMs?: number): Promise<ChildStats>;
  /** Starts the child's V8 CPU profiler. */
  profileStart(): Promise<void>;
  /** Stops it and has the child write the .cpuprofile to `file`. */
  profileStop(file: string): Promise<void>;
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
const REQUEST_TIMEOUT_MS = 10_000;

/** Where the servers were compiled to JavaScript (as deployed: no tsx in the process), or null. */
let compiledDir: string | null = null;

/** Runs the servers from JavaScript compiled into `dir` (see tsconfig.bench.json). */
export function useCompiled(dir: string): void {
  compiledDir = dir;
}

/** Every child started and not yet exited, so a failing run can kill exactly those. */
const live = new Set<ChildHandle>();

/** Kills the children this benchmark started that are still running. */
export function killLiveChildren(): void {
  for (const child of live) child.kill();
}

/** The node flags of `npm start` (as App Service runs the app), e.g. the heap cap. */
export function deployedNodeFlags(): string[] {
  const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = packageJson.scripts.start.split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json "start" does not run node: ${packageJson.scripts.start}`);
  return words.slice(1).filter((word) => word.startsWith('--'));
}

/** Forks a child server (TypeScript through tsx) and resolves once it listens. */
export async function startChild(options: ChildOptions): Promise<ChildHandle> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const logFd = fs.openSync(options.logFile, 'w');
  let child: ChildProcess;
  try {
    const entry =
      compiledDir === null
        ? ENTRIES[options.kind]
        : path.join(compiledDir, 'scripts', 'bench', `${path.basename(ENTRIES[options.kind], '.ts')}.js`);
    child = fork(entry, [JSON.stringify(options.settings)], {
      cwd: REPO_ROOT,
      execArgv: compiledDir === null ? ['--import', 'tsx'] : deployedNodeFlags(),
      stdio: ['ignore', logFd, logFd, 'ipc'],
    });
  } finally {
    fs.closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the ${options.name} child process`);

  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pending = new Map<number, (message: ChildMessage) => void>();
  let nextId = 1;
  child.on('message', (raw: unknown) => {
    const message = asChildMessage(raw);
    if (message === null || message.type === 'ready' || message.id === undefined) return;
    const resolve = pending.get(message.id);
    pending.delete(message.id);
    resolve?.(message);
  });

  const port = await waitForReady(child, options, () => exited);

  const request = async (body: Omit<ParentRequest, 'id'> & { file?: string }, timeoutMs = REQUEST_TIMEOUT_MS): Promise<ChildMessage> => {
    if (exited) throw new Error(`${options.name} has exited (log: ${options.logFile})`);
    const id = nextId++;
    const answer = await new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${options.name} did not answer "${body.type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.send({ ...body, id });
    });
    if (answer.type === 'failed') throw new Error(`${options.name}: ${body.type} failed: ${answer.message}`);
    return answer;
  };

  const handle: ChildHandle = {
    name: options.name,
    kind: options.kind,
    pid,
    port,
    logFile: options.logFile,
    async stats(timeoutMs = REQUEST_TIMEOUT_MS) {
      const answer = await request({ type: 'stats' }, timeoutMs);
      if (answer.type !== 'stats') throw new Error(`${options.name} answered "${answer.type}" to stats`);
      return answer.stats;
    },
    async profileStart() {
      await request({ type: 'profile-start' });
    },
    async profileStop(file) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await request({ type: 'profile-stop', file }, REQUEST_TIMEOUT_MS);
    },
    async stop(timeoutMs = REQUEST_TIMEOUT_MS) {
      try {
        if (!exited) {
          await request({ type: 'stop' }, timeoutMs);
          await Promise.race([exitPromise, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]);
        }
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

/** Resolves with the port the child announces; rejects (and kills it) on failure, early exit or timeout. */
function waitForReady(child: ChildProcess, options: ChildOptions, hasExited: () => boolean): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${options.name} did not start within ${READY_TIMEOUT_MS} ms (log: ${options.logFile})`)),
      READY_TIMEOUT_MS,
    );
    const onMessage = (raw: unknown): void => {
      const message = asChildMessage(raw);
      if (message?.type === 'ready') done(() => resolve(message.port));
      else if (message?.type === 'failed')
        fail(new Error(`${options.name} failed to start: ${message.message.split('\n')[0]} (log: ${options.logFile})`));
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`${options.name} exited with ${code} before it was ready (log: ${options.logFile})`));
    const done = (then: () => void): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      then();
    };
    const fail = (error: Error): void =>
      done(() => {
        if (!hasExited() && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
        reject(error);
      });
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
