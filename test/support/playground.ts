/**
 * Drives the real Microsoft 365 Agents Playground (@microsoft/m365agentsplayground, pinned 0.2.28)
 * headless: spawns it against a bot endpoint, posts as a Teams user through its internal HTTP API,
 * and collects what the bot posts from its WebSocket stream.
 *
 * The internal API (`/_conversation`, `/_internal`, `/_debug`, `/_ws_conversation`) is undocumented:
 * it is what the playground's own web UI calls in 0.2.28. Upgrading the package means re-checking it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { waitFor } from './wait';

const PLAYGROUND_BIN = path.resolve(__dirname, '../../node_modules/.bin/agentsplayground');
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

// ---------------------------------------------------------------------------------------------
// Configuration file (schema "0.1.1": exactly 5 users, one team with General + at most 1 channel)

export interface PlaygroundUser {
  id: string;
  name: string;
  /** Spelled this way by the playground's schema. */
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
}

export interface PlaygroundConfigFile {
  version: '0.1.1';
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: [PlaygroundUser, PlaygroundUser, PlaygroundUser, PlaygroundUser, PlaygroundUser];
  personalChat: { id: string };
  groupChat: { id: string; name: string };
  /** `team.id` is also the General channel's id. */
  team: { id: string; name: string; aadGroupId: string; channels: [] | [{ id: string; name: string }] };
}

export interface PlaygroundConfigOptions {
  botName?: string;
  botId?: string;
  tenantId?: string;
  teamName?: string;
  /** General channel id = team id. */
  teamId?: string;
  /** The one extra channel; `null` for none. */
  channel?: { id: string; name: string } | null;
}

function user(key: string, given: string, surname: string, n: number): PlaygroundUser {
  return {
    id: `29:${key}`,
    name: `${given} ${surname}`,
    userPrincipleName: `${key}@example.com`,
    aadObjectId: `00000000-0000-4000-8000-0000000000${20 + n}`,
    givenName: given,
    surname,
    email: `${key}@example.com`,
  };
}

/** A complete, valid playground configuration with Teams-shaped ids (`19:…@thread.tacv2`, `29:…`, `28:…`). */
export function buildPlaygroundConfig(options: PlaygroundConfigOptions = {}): PlaygroundConfigFile {
  const channel = options.channel === undefined ? { id: '19:vip-desk@thread.tacv2', name: 'VIP desk' } : options.channel;
  return {
    version: '0.1.1',
    tenantId: options.tenantId ?? '7a1b2c3d-0000-4000-8000-00000000000a',
    bot: { id: options.botId ?? '28:6b1e3f5a-0000-4000-8000-000000000001', name: options.botName ?? 'klink' },
    currentUser: user('alexw', 'Alex', 'Wilber', 0),
    users: [
      user('meganb', 'Megan', 'Bowen', 1),
      user('adelev', 'Adele', 'Vance', 2),
      user('isaiahl', 'Isaiah', 'Langer', 3),
      user('pattif', 'Patti', 'Fernandez', 4),
      user('lynner', 'Lynne', 'Robbins', 5),
    ],
    personalChat: { id: 'a:1personal-chat-alexw' },
    groupChat: { id: '19:ops-group-chat@thread.v2', name: 'Ops chat' },
    team: {
      id: options.teamId ?? '19:klink-demo-general@thread.tacv2',
      name: options.teamName ?? 'klink demo',
      aadGroupId: '00000000-0000-4000-8000-000000000031',
      channels: channel === null ? [] : [channel],
    },
  };
}

/** Writes the configuration as YAML (JSON is YAML) into `dir` and returns the file's path. */
export function writePlaygroundConfig(config: PlaygroundConfigFile, dir: string): string {
  const file = path.join(dir, 'm365agentsplayground.yml');
  fs.writeFileSync(file, `# written by test/support/playground.ts\n${JSON.stringify(config, null, 2)}\n`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Command line

export interface PlaygroundCommandOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** 56150 by default; 0 for a random free port. */
  port?: number;
  configPath: string;
  /** Full request/response log; default `<workDir>/playground.log`. */
  logFile?: string;
  workDir: string;
}

/** The command, arguments and environment that start the playground (shared with scripts/playground.ts). */
export function playgroundCommand(options: PlaygroundCommandOptions): {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
} {
  return {
    command: PLAYGROUND_BIN,
    args: ['-e', options.botEndpoint, '-c', 'msteams', '-p', String(options.port ?? 56150), '--disable-telemetry'],
    env: {
      ...process.env,
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.configPath,
      M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile ?? path.join(options.workDir, 'playground.log'),
      // The CLI opens a browser unless told not to.
      TEAMSAPPTESTER_BROWSER: 'none',
      NO_COLOR: '1',
    },
    // The playground writes ./devTools/ and reads ./.m365agentsplayground.yml from its working directory.
    cwd: options.workDir,
  };
}

// ---------------------------------------------------------------------------------------------
// What the playground answers and pushes

/** `GET /_internal/v1/testConfig` → `config`: the configuration as the playground understood it. */
export interface PlaygroundInfo {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string; name: string };
  groupChats: Array<{ id: string; name: string; members: string[] }>;
  /** `channels[0]` is General (its id is the team id). */
  teams: Array<{
    id: string;
    name: string;
    aadGroupId: string;
    channels: Array<{ id: string; name: string; channelType: string }>;
    members: string[];
  }>;
}

/** A message as the playground's UI sees it. */
export interface PlaygroundMessage {
  /** Epoch-ms string; an activity split in parts (text + attachments) gets `<id>-<hex>` for the extra parts. */
  messageId: string;
  timestamp: number;
  from: { id: string };
  text?: string;
  textFormat?: string;
  attachments: Array<{ contentType: string; content: unknown }>;
  attachmentLayout?: string;
  mentions?: unknown[];
  /** Set on the root message of a new channel thread: the thread's conversation id. */
  postConversationId?: string;
  directLineConversationId?: string;
  [key: string]: unknown;
}

/** One push on `/_ws_conversation/v1/conversations/stream` (typing pushes are dropped). */
export interface PlaygroundPush {
  action: 'createMessage' | 'updateMessage';
  /** The channel id for a thread's root message, the thread id (`…;messageid=…`) for replies. */
  actionConversationId: string;
  message: PlaygroundMessage;
  /** `Date.now()` in this process when the push arrived. */
  receivedAt: number;
}

export interface SentMessage {
  messageId: string;
  /** For a new post in a channel: the thread it starts, `<channel>;messageid=<messageId>`. */
  postConversationId?: string;
  timestamp: number;
}

/** Canned activities the playground can send to the bot (`GET /_internal/v1/customActivities/template`). */
export type CustomActivityType =
  | 'install'
  | 'uninstall'
  | 'userAdded'
  | 'userRemoved'
  | 'botAdded'
  | 'botRemoved'
  | 'channelCreated'
  | 'channelRenamed'
  | 'channelDeleted'
  | 'teamRenamed'
  | 'teamDeleted';

/** Thrown when the playground's internal API answers with an error status. */
export class PlaygroundApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`playground ${what} answered ${status}: ${JSON.stringify(body)}`);
    this.name = 'PlaygroundApiError';
  }
}

/** The conversation a pushed message lives in: its thread (root or reply) or its chat. */
export function conversationOf(push: PlaygroundPush): string {
  return push.message.postConversationId ?? push.actionConversationId;
}

/** The Adaptive Card contents of a pushed message. */
export function cardsOf(push: PlaygroundPush): unknown[] {
  return push.message.attachments.filter((a) => a.contentType === ADAPTIVE_CARD).map((a) => a.content);
}

// ---------------------------------------------------------------------------------------------
// The running playground

export interface StartPlaygroundOptions {
  botEndpoint: string;
  /** Default 56150; 0 picks a free port (recommended for tests). */
  port?: number;
  /** An existing config file; otherwise `config` (or the default) is written to the work dir. */
  configPath?: string;
  config?: PlaygroundConfigFile;
  logFile?: string;
  /** Working directory; default a fresh temp dir, removed on stop. */
  workDir?: string;
  /** Bound on start-up (default 30 s). */
  startTimeoutMs?: number;
  /** Open the WebSocket subscription at start (default true). */
  subscribe?: boolean;
  /** Copy the child's stdout/stderr to this process's (default false; always kept in `output`). */
  echoOutput?: boolean;
}

export interface WaitForMessageOptions {
  timeoutMs?: number;
  /** Only pushes at or after this index (see `mark()`). */
  since?: number;
  what?: string;
}

/** Starts the playground and resolves once its HTTP API answers (and, by default, its stream is subscribed). */
export async function startPlayground(options: StartPlaygroundOptions): Promise<Playground> {
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'klink-playground-'));
  const configPath = options.configPath ?? writePlaygroundConfig(options.config ?? buildPlaygroundConfig(), workDir);
  const logFile = options.logFile ?? path.join(workDir, 'playground.log');
  const requestedPort = options.port ?? 56150;
  const { command, args, env, cwd } = playgroundCommand({
    botEndpoint: options.botEndpoint,
    port: requestedPort,
    configPath,
    logFile,
    workDir,
  });
  // Own process group, so stop() can kill it and anything it spawns.
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const playground = new Playground(child, { workDir, ownWorkDir, configPath, logFile, echoOutput: options.echoOutput ?? false });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    await playground.untilExit(async () => {
      const port = await playground.listeningPort(timeoutMs);
      if (requestedPort !== 0 && port !== requestedPort) {
        throw new Error(`port ${requestedPort} is in use (the playground fell back to ${port}); free it or pass port: 0`);
      }
      await waitFor(() => playground.ping(), { timeoutMs, intervalMs: 50, what: `the playground on port ${port} to answer /_debug/ping` });
      if (options.subscribe ?? true) await playground.subscribe(timeoutMs);
    });
    return playground;
  } catch (error) {
    const details = `playground output:\n${playground.output.join('')}\nplayground log (${logFile}):\n${tail(logFile, 2000)}`;
    await playground.stop();
    throw error instanceof Error ? new Error(`${error.message}\n${details}`) : error;
  }
}

/** The last `chars` characters of a file, or a note that it does not exist. */
function tail(file: string, chars: number): string {
  if (!fs.existsSync(file)) return '(none)';
  const text = fs.readFileSync(file, 'utf8');
  return text.slice(-chars);
}

export class Playground {
  /** Everything the child printed (stdout and stderr). */
  readonly output: string[] = [];
  /** createMessage / updateMessage pushes received since the subscription started (no replays). */
  readonly pushes: PlaygroundPush[] = [];
  readonly workDir: string;
  readonly configPath: string;
  readonly logFile: string;
  private port: number | undefined;
  private socket: WebSocket | undefined;
  private info: PlaygroundInfo | undefined;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly ownWorkDir: boolean;
  private readonly killOnExit = (): void => this.killGroup('SIGKILL');

  constructor(
    private readonly child: ChildProcess,
    files: { workDir: string; ownWorkDir: boolean; configPath: string; logFile: string; echoOutput: boolean },
  ) {
    this.workDir = files.workDir;
    this.ownWorkDir = files.ownWorkDir;
    this.configPath = files.configPath;
    this.logFile = files.logFile;
    const collect =
      (echo: NodeJS.WriteStream | undefined) =>
      (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        this.output.push(text);
        echo?.write(text);
      };
    child.stdout?.on('data', collect(files.echoOutput ? process.stdout : undefined));
    child.stderr?.on('data', collect(files.echoOutput ? process.stderr : undefined));
    this.exitPromise = new Promise((resolve) => {
      const onGone = (): void => {
        this.exited = true;
        resolve();
      };
      child.once('exit', onGone);
      // Spawning failed (e.g. the binary is missing): 'exit' may never come.
      child.once('error', (error) => {
        this.output.push(`[driver] could not run the playground: ${error.message}\n`);
        onGone();
      });
    });
    process.once('exit', this.killOnExit);
  }

  /** `http://localhost:PORT` (the UI, in a browser). */
  get url(): string {
    return `http://localhost:${this.requirePort()}`;
  }

  /** The serviceUrl the bot receives: `http://localhost:PORT/_connector`. */
  get serviceUrl(): string {
    return `${this.url}/_connector`;
  }

  /** The configuration as the playground loaded it (users, bot, team and channel ids). */
  async config(): Promise<PlaygroundInfo> {
    if (this.info === undefined) {
      // Not /_internal/v1/config: that one first waits (up to 15 s) for the bot endpoint, and answers 200 either way.
      const body = await this.request('GET', '/_internal/v1/testConfig', undefined, 'GET testConfig');
      this.info = (body as { config: PlaygroundInfo }).config;
    }
    return this.info;
  }

  /**
   * Posts a message as a user (the current user by default). In a channel it starts a new thread;
   * to reply in a thread pass the thread id (`<channel>;messageid=<root>`). With `mentionBot` the
   * text becomes `<at>BOT</at> text` with a mention entity (the bot only hears mentions outside
   * the personal chat).
   */
  async sendMessage(conversationId: string, text: string, options: { mentionBot?: boolean; from?: string } = {}): Promise<SentMessage> {
    const info = await this.config();
    const mention = `<at>${info.bot.name}</at>`;
    const body = {
      from: { id: options.from ?? info.currentUser.id },
      text: options.mentionBot ? `${mention} ${text}` : text,
      textFormat: 'plain',
      ...(options.mentionBot ? { mentions: [{ mentioned: { id: info.bot.id }, text: mention }] } : {}),
    };
    const route = `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`;
    return (await this.request('POST', route, body, `POST message to ${conversationId}`)) as SentMessage;
  }

  /** A new post in a channel (`channelId`: the team id for General), @mentioning the bot by default. */
  sendChannelMessage(channelId: string, text: string, options: { mentionBot?: boolean; from?: string } = {}): Promise<SentMessage> {
    return this.sendMessage(channelId, text, { mentionBot: options.mentionBot ?? true, from: options.from });
  }

  /**
   * Presses an Action.Submit button: the bot receives a message with `value` and `replyToId`.
   * `conversationId` is where the card lives: for a thread's root card the thread id, not the channel id.
   */
  async submit(options: { conversationId: string; replyToId: string; value: Record<string, unknown>; from?: string }): Promise<void> {
    const from = options.from ?? (await this.config()).currentUser.id;
    await this.request(
      'POST',
      '/_conversation/v1/submit',
      { conversation: { id: options.conversationId }, from: { id: from }, replyToId: options.replyToId, value: options.value },
      'POST submit',
    );
  }

  /** Sends an `adaptiveCard/action` invoke (Action.Execute) and returns the bot's invoke response body. */
  async invoke(options: { conversationId: string; replyToId: string; value: unknown; from?: string }): Promise<unknown> {
    const from = options.from ?? (await this.config()).currentUser.id;
    return this.request(
      'POST',
      '/_conversation/v1/invoke',
      {
        name: 'adaptiveCard/action',
        value: options.value,
        from: { id: from },
        conversation: { id: options.conversationId },
        replyToId: options.replyToId,
      },
      'POST invoke',
    );
  }

  /**
   * What the UI does when the app is added to a conversation: the bot receives an
   * `installationUpdate` (action add) and a `conversationUpdate` (membersAdded: the bot).
   */
  async install(conversationId: string): Promise<void> {
    await this.request('POST', `/_debug/conversation/${encodeURIComponent(conversationId)}/installation`, {}, 'POST installation');
  }

  /**
   * Sends the bot one of the playground's canned activities for a conversation (`uninstall` is an
   * installationUpdate with action remove, `botRemoved` a conversationUpdate with membersRemoved);
   * `edit` changes the activity before it is sent. Returns the activity sent. The playground keeps
   * no state for them: after `uninstall` the bot can still post.
   */
  async sendCustomActivity(
    conversationId: string,
    type: CustomActivityType,
    edit: (activity: Record<string, unknown>) => Record<string, unknown> = (a) => a,
  ): Promise<Record<string, unknown>> {
    const query = `conversationId=${encodeURIComponent(conversationId)}&type=${encodeURIComponent(type)}`;
    const template = (await this.request(
      'GET',
      `/_internal/v1/customActivities/template?${query}`,
      undefined,
      `GET template ${type}`,
    )) as Record<string, unknown>;
    const activity = edit(template);
    await this.request('POST', '/_internal/v1/customActivities', activity, `POST custom activity ${type}`);
    return activity;
  }

  /** Opens the WebSocket stream; pushes buffered by the playground from before now are dropped. */
  async subscribe(timeoutMs = 10_000): Promise<void> {
    if (this.socket !== undefined) return;
    const startedAt = Date.now();
    const socket = new WebSocket(`ws://localhost:${this.requirePort()}/_ws_conversation/v1/conversations/stream`);
    this.socket = socket;
    socket.on('message', (data: WebSocket.RawData) => this.onPush(data, startedAt));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`playground WebSocket did not open within ${timeoutMs} ms`)), timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    socket.on('error', (error) => this.output.push(`[driver] WebSocket error: ${error.message}\n`));
  }

  /** The number of pushes so far, to wait only for later ones (`waitForMessage(p, { since })`). */
  mark(): number {
    return this.pushes.length;
  }

  /** Resolves with the first push (from `since` on) that matches; rejects after `timeoutMs` (default 10 s). */
  waitForMessage(predicate: (push: PlaygroundPush) => boolean, options: WaitForMessageOptions | number = {}): Promise<PlaygroundPush> {
    const {
      timeoutMs = 10_000,
      since = 0,
      what = 'a matching message from the bot in the playground',
    } = typeof options === 'number' ? { timeoutMs: options } : options;
    if (this.socket === undefined) return Promise.reject(new Error('waitForMessage needs subscribe() first'));
    return waitFor(() => this.pushes.slice(since).find(predicate), {
      timeoutMs,
      intervalMs: 20,
      what: () => `${what} (${this.pushes.length - since} push(es) seen: ${this.describePushes(since)})`,
    });
  }

  /** Stops the playground: SIGTERM to its process group, SIGKILL if it is still there after 5 s. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    if (this.socket !== undefined) {
      this.socket.removeAllListeners('message');
      this.socket.terminate();
      this.socket = undefined;
    }
    if (!this.exited) {
      this.killGroup('SIGTERM');
      const killed = await Promise.race([this.exitPromise.then(() => true), delay(5000).then(() => false)]);
      if (!killed) {
        this.killGroup('SIGKILL');
        await this.exitPromise;
      }
    }
    if (this.ownWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  /** @internal runs `work`, failing fast if the child exits meanwhile (e.g. on a bad config file). */
  async untilExit<T>(work: () => Promise<T>): Promise<T> {
    let done = false;
    const exited = this.exitPromise.then((): never | undefined => {
      if (done) return undefined;
      throw new Error(`the playground exited (code ${this.child.exitCode ?? 'none'}, signal ${this.child.signalCode ?? 'none'})`);
    });
    try {
      return (await Promise.race([work(), exited])) as T;
    } finally {
      done = true;
    }
  }

  /** @internal resolves with the port from the child's "Listening on N" line. */
  async listeningPort(timeoutMs: number): Promise<number> {
    const port = await waitFor(
      () => {
        const match = /Listening on (\d+)/.exec(this.output.join(''));
        return match === null ? undefined : Number(match[1]);
      },
      { timeoutMs, intervalMs: 25, what: 'the playground to print "Listening on <port>"' },
    );
    this.port = port;
    return port;
  }

  /** @internal true once `/_debug/ping` answers. */
  async ping(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/_debug/ping`);
      return response.ok;
    } catch (error) {
      if (error instanceof TypeError) return false; // connection refused while starting
      throw error;
    }
  }

  private describePushes(since: number): string {
    return this.pushes
      .slice(since)
      .map((p) => `${p.action} in ${p.actionConversationId}: ${p.message.text ?? `${p.message.attachments.length} attachment(s)`}`)
      .join('; ');
  }

  private onPush(data: WebSocket.RawData, startedAt: number): void {
    const parsed = JSON.parse(rawText(data)) as Partial<PlaygroundPush>;
    if (parsed.action !== 'createMessage' && parsed.action !== 'updateMessage') return;
    if (parsed.message === undefined || typeof parsed.actionConversationId !== 'string') return;
    // Pushes made while no client was connected are replayed to the next one: drop those.
    if (parsed.message.timestamp < startedAt) return;
    this.pushes.push({
      action: parsed.action,
      actionConversationId: parsed.actionConversationId,
      message: parsed.message,
      receivedAt: Date.now(),
    });
  }

  private async request(method: string, urlPath: string, body: unknown, what: string): Promise<unknown> {
    const response = await fetch(`${this.url}${urlPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : parseJson(text);
    if (!response.ok) throw new PlaygroundApiError(response.status, parsed, what);
    return parsed;
  }

  private requirePort(): number {
    if (this.port === undefined) throw new Error('the playground has not started listening yet');
    return this.port;
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch (error) {
      // ESRCH: the group is already gone.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return text;
    throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The text of a WebSocket message, whichever of the `ws` buffer shapes it arrived as. */
function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}
