/**
 * The delivery loop: dispatches committed events into delivery rows, then gives each
 * conversation with due work a turn at Teams — many conversations at once, one turn per
 * conversation at a time, so a slow or throttled conversation never holds up the others.
 * Everything it needs is read from the store, so a restart resumes where it stopped.
 */
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';
import type { TeamsSender } from '../teams/sender';
import { ROOT_UPDATE_INTERVAL_MS, runConversationTurn } from './conversation-turn';
import { type CardSettings, MessageCardCache } from './delivery-card';
import { dispatchPending } from './dispatcher';
import { CONVERSATION_WINDOWS, Pacer } from './pacing';

export interface DeliveryWorkerDeps {
  store: Store;
  sender: TeamsSender;
  log: Logger;
  metrics: Metrics;
  now: () => number;
  random: () => number;
  settings: CardSettings;
  /** The Entra tenant a klink connection's events may be posted in; null: any. */
  connectionTenant: (connectionId: string) => Promise<string | null>;
  threadWindowMs: number;
  /** Message text is removed from events this long after their delivery finished. */
  retentionMs: number;
  /** Longest idle wait before the store is checked again (work from other writers, clock drift). */
  idleCheckMs?: number;
  /** Conversations served at once. */
  concurrency?: number;
}

const CREDENTIALS_PAUSE_MS = 60_000;
/** Conversations lined up by one look at the store. */
const READY_BATCH = 1_000;
const MAINTENANCE_EVERY_MS = 60_000;
const PACING_HISTORY_MS = Math.max(...CONVERSATION_WINDOWS.map((w) => w.ms)) * 1.1;

export class DeliveryWorker {
  readonly pacer = new Pacer();
  private readonly cards: MessageCardCache;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** While idle: when the idle wait ends on its own, and its timer. */
  private idleUntil = Infinity;
  private idleTimer: NodeJS.Timeout | undefined;
  private kicked = false;
  /** The last look at the store found more due conversations than one batch lines up. */
  private moreDue = false;
  /** When the store was last looked at for due conversations, and when to look next without a kick. */
  private lastLook = 0;
  private nextLook = 0;
  /** Conversations found with due work while in a turn: lined up again when the turn ends. */
  private readonly again = new Set<string>();
  /** Conversation turns under way. */
  private readonly turns = new Map<string, Promise<void>>();
  /** Conversations with due work, lined up for a turn. */
  private readonly ready = new Map<string, { id: string; tenantId: string }>();
  /** Conversations whose budget (or a pause) says not before a time: lined up again then, without a look at the store. */
  private readonly notBefore = new Map<string, { at: number; conversation: { id: string; tenantId: string } }>();
  private credentialsPausedUntil = 0;
  private credentialsProblem: string | null = null;
  private lastMaintenance = 0;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.cards = new MessageCardCache(deps.settings);
  }

  /** Seeds pacing from the requests of the last hour (they count against Teams' limits too) and starts. */
  async start(): Promise<void> {
    if (this.running) return;
    for (const r of await this.deps.store.requests.teamsRequestsSince(this.deps.now() - PACING_HISTORY_MS)) {
      this.pacer.record(r.conversationId, r.tenantId, r.at);
    }
    this.running = true;
    this.loop = this.run();
  }

  /** New work was committed: look now instead of at the next check. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Set while Teams rejects the bot's credentials (401): readiness reports it. */
  get problem(): string | null {
    return this.credentialsPausedUntil > this.deps.now() ? this.credentialsProblem : null;
  }

  /** Stops starting turns and waits up to `timeoutMs` for the ones under way; returns whether all finished. */
  async stop(timeoutMs = 10_000): Promise<boolean> {
    this.running = false;
    this.kick();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.turns.values()).then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); }),
    ]);
    clearTimeout(timer);
    return finished;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const look = this.kicked || this.deps.now() >= this.nextLook;
      this.kicked = false;
      try {
        await this.pass(look);
      } catch (err) {
        this.deps.log.error({ err }, 'delivery pass failed; retrying on the next pass');
      }
      if (this.running && !this.kicked) await this.idle();
      // The store is synchronous: without this the loop could run on microtasks alone and
      // starve the event loop (answers from Teams, webhooks, timers).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Lines up conversations whose wait is over and, when `look` (new work was committed, a retry
   * or pause ends, or the idle check), asks the store which conversations have due work.
   * Conversations waiting on their budget are not asked about again: they are lined up when
   * their wait is over, so a long wait costs nothing.
   */
  private async pass(look: boolean): Promise<void> {
    const { store, log, settings } = this.deps;
    if (look) {
      // Set first: a look that fails is retried at the idle check, not at once.
      this.lastLook = this.deps.now();
      while ((await dispatchPending(store, log, settings.vipTags, this.deps.connectionTenant, this.deps.now())) > 0) {
        // dispatch everything committed so far before sending
      }
    }
    const now = this.deps.now();
    await this.maintain(now);
    for (const [id, waiting] of this.notBefore) {
      if (waiting.at > now) continue;
      this.notBefore.delete(id);
      this.ready.set(id, waiting.conversation);
    }
    if (this.credentialsPausedUntil > now) return;
    if (look) {
      this.lastLook = now;
      // One query lines up many conversations; turns then start from the line as others finish.
      // Conversations lined up or waiting on their budget would only fill the batch; one in a
      // turn may have got new work after its turn read its queue, so it runs again afterwards.
      const due = await store.deliveries.dueConversations(now, READY_BATCH, [...this.ready.keys(), ...this.notBefore.keys()]);
      this.moreDue = due.length >= READY_BATCH;
      for (const { conversation } of due) this.lineUp(conversation);
      for (const conversation of await store.threads.conversationsWithStaleRoots(now - ROOT_UPDATE_INTERVAL_MS, 20, now)) this.lineUp(conversation);
    }
    this.fill();
  }

  private lineUp(conversation: { id: string; tenantId: string }): void {
    if (this.turns.has(conversation.id)) this.again.add(conversation.id);
    else if (!this.notBefore.has(conversation.id)) this.ready.set(conversation.id, conversation);
  }

  /** Starts turns for lined-up conversations while there is capacity. */
  private fill(): void {
    if (!this.running) return;
    const now = this.deps.now();
    for (const [id, conversation] of this.ready) {
      if (this.turns.size >= this.concurrency || this.credentialsPausedUntil > now) return;
      this.ready.delete(id);
      if (this.turns.has(id)) {
        this.again.add(id);
        continue;
      }
      if ((this.notBefore.get(id)?.at ?? 0) > now) continue;
      // A conversation whose (or whose tenant's) budget is spent waits without a turn.
      const wait = this.pacer.waitMs(id, conversation.tenantId, now);
      if (wait > 0) {
        this.waitUntil(conversation, now + wait);
        continue;
      }
      this.notBefore.delete(id);
      this.startTurn(conversation);
    }
  }

  private get concurrency(): number {
    return this.deps.concurrency ?? 64;
  }

  private startTurn(conversation: { id: string; tenantId: string }): void {
    const conversationId = conversation.id;
    const turn = runConversationTurn(conversation, {
      ...this.deps,
      pacer: this.pacer,
      cards: this.cards,
      onCredentialsRejected: (reason) => this.credentialsRejected(reason),
    }).then(
      (waitMs) => {
        // 0: the turn stopped with work left (its step limit): it is lined up again at once.
        // (One that got new work while its turn ran is lined up again in finally, below.)
        if (waitMs !== null) this.waitUntil(conversation, this.deps.now() + waitMs);
        // Look at the store again only when the last look left due conversations out and
        // nothing is lined up: everything else that waits is woken by its notBefore time, and
        // new work by kick().
        if (this.moreDue && this.ready.size === 0) this.kick();
      },
      (err: unknown) => {
        this.deps.log.error({ err, conversationId }, 'conversation turn failed; it runs again on the next pass');
        this.waitUntil(conversation, this.deps.now() + 1_000);
      },
    ).finally(() => {
      this.turns.delete(conversationId);
      if (this.again.delete(conversationId) && !this.notBefore.has(conversationId)) this.waitUntil(conversation, this.deps.now());
      this.fill();
    });
    this.turns.set(conversationId, turn);
  }

  /** The conversation waits until `at`; an idle loop wakes by then. */
  private waitUntil(conversation: { id: string; tenantId: string }, at: number): void {
    this.notBefore.set(conversation.id, { at, conversation });
    if (this.wake !== null && at < this.idleUntil) {
      clearTimeout(this.idleTimer);
      this.idleUntil = at;
      this.idleTimer = setTimeout(this.wake, Math.max(0, at - this.deps.now()));
    }
  }

  private credentialsRejected(reason: string): void {
    const now = this.deps.now();
    if (this.credentialsPausedUntil <= now) {
      this.deps.log.error({ reason },
        'Teams rejected the bot credentials (401): delivery paused; check BOT_ID, BOT_PASSWORD, BOT_TENANT_ID and BOT_TYPE');
    }
    this.credentialsProblem = `Teams rejected the bot credentials (${reason})`;
    this.credentialsPausedUntil = now + CREDENTIALS_PAUSE_MS;
  }

  /** Housekeeping once a minute: pacing history, message text retention, queue depth. */
  private async maintain(now: number): Promise<void> {
    if (now - this.lastMaintenance < MAINTENANCE_EVERY_MS) return;
    this.lastMaintenance = now;
    const { store } = this.deps;
    await store.requests.pruneTeamsRequests(now - PACING_HISTORY_MS);
    this.pacer.sweep(now);
    const purged = await store.events.purgeMessageText(now - this.deps.retentionMs, now);
    if (purged > 0) this.deps.log.info({ events: purged }, 'message text removed after the retention period');
    this.deps.metrics.queueDepth.set(await store.deliveries.countPending());
  }

  /**
   * Waits until kicked, a waiting conversation's time, or the next look at the store: when a
   * retry or pause ends after the last look, or the idle check interval passes.
   */
  private async idle(): Promise<void> {
    const now = this.deps.now();
    const idleCheckMs = this.deps.idleCheckMs ?? 1000;
    const looks: number[] = [];
    if (this.credentialsPausedUntil > now) {
      looks.push(now + idleCheckMs, this.credentialsPausedUntil);
    } else {
      // Counted from the last look, not from this wait: waking often for conversations whose
      // wait is over must not put the look off.
      looks.push(this.lastLook + idleCheckMs);
      try {
        const nextDue = await this.deps.store.deliveries.nextDueAt(this.lastLook);
        if (nextDue !== null) looks.push(nextDue);
      } catch (err) {
        this.deps.log.error({ err }, 'could not read when work is next due; looking again at the idle check');
      }
    }
    this.nextLook = Math.min(...looks);
    let until = this.nextLook;
    for (const { at } of this.notBefore.values()) until = Math.min(until, at);
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.idleUntil = until;
      this.idleTimer = setTimeout(resolve, Math.max(0, until - now));
      if (this.kicked || !this.running) resolve();
    });
    clearTimeout(this.idleTimer);
    this.wake = null;
    this.idleUntil = Infinity;
  }
}
