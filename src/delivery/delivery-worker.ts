/**
 * The delivery loop: dispatches committed events into delivery rows, then gives each
 * conversation with due work a turn at Teams — many conversations at once, one turn per
 * conversation at a time, so a slow or throttled conversation never holds up the others.
 *
 * Any number of workers (threads, processes, instances) may share one store: a worker serves a
 * conversation only while it holds the conversation's claim, renewed every few seconds; one
 * worker at a time dispatches (a lease), so deliveries keep the order of their events; and
 * Teams' limits are a budget in the store that every worker and every bot answer takes from.
 * Everything is read from the store, so a restart, or another worker, resumes where one stopped.
 */
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Conversation, Store } from '../store/store';
import type { TeamsSender } from '../teams/sender';
import { ROOT_UPDATE_INTERVAL_MS, runConversationTurn } from './conversation-turn';
import type { ContactEnricher } from './contact-enricher';
import { type CardSettings, MessageCardCache, warmUpCards } from './delivery-card';
import { dispatchPending } from './dispatcher';
import type { ReplyPolicy } from '../klink/reply-policy';

export interface DeliveryWorkerDeps {
  store: Store;
  sender: TeamsSender;
  log: Logger;
  metrics: Metrics;
  now: () => number;
  random: () => number;
  settings: CardSettings;
  /** Whether a message's card gets the Reply action (replies on for its klink connection). */
  replies: ReplyPolicy;
  /** The Entra tenant a klink connection's events may be posted in; null: any. */
  connectionTenant: (connectionId: string) => Promise<string | null>;
  /** Looks contacts up in klink's API before matching (see contact-enricher.ts). */
  enricher?: ContactEnricher;
  threadWindowMs: number;
  /** Message text is removed from events this long after their delivery finished. */
  retentionMs: number;
  /** This worker's name in claims and leases: unique among the workers sharing the store. */
  holder: string;
  /** Longest idle wait before the store is checked again (work from other writers, clock drift). */
  idleCheckMs?: number;
  /** Conversations served at once. */
  concurrency?: number;
  /** A conversation claim lasts this long unless renewed (renewed every tenth of it). */
  claimLeaseMs?: number;
  /** The longest one request to Teams may take (its timeout): a claim is not used closer than this to its end. */
  requestTimeoutMs: number;
}

type Target = Pick<Conversation, 'id' | 'tenantId'>;

const CREDENTIALS_PAUSE_MS = 60_000;
/**
 * Conversations lined up or in a turn, as a multiple of the turns at once: enough that a look at
 * the store lines up a batch (not one conversation per finished turn), few enough to leave work
 * for other workers.
 */
const CLAIM_AHEAD = 2;
const MAINTENANCE_EVERY_MS = 60_000;
/**
 * How long a conversation claim lasts unless renewed. A request to Teams (15 s at most) only
 * starts with more than that left on the claim, so a worker that stops renewing (store
 * unreachable, process paused) stops sending to the conversation before its claim can pass to
 * another worker. After a renewal the claim is usable for lease − 16 s = 14 s: renewals every 3 s
 * leave room for four in a row to fail or be slow before sending pauses.
 */
const DEFAULT_CLAIM_LEASE_MS = 30_000;
/** Claims are renewed this many times per lease. */
const RENEWALS_PER_LEASE = 10;
/** Room for the request's own bookkeeping and for clocks of instances that differ slightly. */
const CLAIM_MARGIN_MS = 1_000;
/**
 * A worker that died while dispatching holds up dispatch this long at most. The lease is taken
 * again before each batch but carries no fencing token: a worker stalled for longer than this in
 * the middle of a batch may write it after another took over. Deliveries stay unique (one per
 * event and conversation); only the order of that batch's deliveries could then interleave.
 */
const DISPATCH_LEASE_MS = 10_000;
const MAINTENANCE_LEASE_MS = 2 * MAINTENANCE_EVERY_MS;
/** Looks at the store for new work are at least this far apart (new work waits at most this long). */
const MIN_LOOK_INTERVAL_MS = 20;

export class DeliveryWorker {
  private readonly cards: MessageCardCache;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** While idle: when the idle wait ends on its own, and its timer. */
  private idleUntil = Infinity;
  private idleTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unwatch: (() => Promise<void>) | null = null;
  private kicked = false;
  /** The last look at the store claimed all it had room for: more may be due. */
  private moreDue = false;
  /** When the store was last looked at for due conversations, and when to look next without a kick. */
  private lastLook = 0;
  private nextLook = 0;
  /** Conversation claims this worker holds, and until when each may be used. */
  private readonly claims = new Map<string, number>();
  /** Conversations found with due work while in a turn: lined up again when the turn ends. */
  private readonly again = new Set<string>();
  /** For conversations in a turn: the newest delivery the turn has read. */
  private readonly newestRead = new Map<string, number>();
  /** Conversation turns under way. */
  private readonly turns = new Map<string, Promise<void>>();
  /** Conversations with due work, lined up for a turn. */
  private readonly ready = new Map<string, Target>();
  /** Conversations whose budget (or a pause) says not before a time: lined up again then, without a look at the store. */
  private readonly notBefore = new Map<string, { at: number; conversation: Target }>();
  /** Tenants whose budget is spent until a time: their conversations wait without asking. */
  private readonly tenantWaits = new Map<string, number>();
  private credentialsPausedUntil = 0;
  private credentialsProblem: string | null = null;
  private lastMaintenance = 0;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.cards = new MessageCardCache(deps.settings);
    if (this.leaseMs <= this.claimSafetyMs + this.leaseMs / RENEWALS_PER_LEASE) {
      throw new RangeError(`claim lease ${this.leaseMs} ms is too short for requests to Teams of up to ${deps.requestTimeoutMs} ms`);
    }
  }

  /** Listens for new work from any writer of the store and starts the loop. */
  async start(): Promise<void> {
    if (this.running) return;
    warmUpCards(this.deps.settings);
    this.unwatch = await this.deps.store.watch(() => this.kick());
    this.running = true;
    this.heartbeat = setInterval(() => void this.renewClaims(), this.leaseMs / RENEWALS_PER_LEASE);
    this.loop = this.run();
  }

  /** New work was committed: look now instead of at the next check. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Set while Teams rejects the bot credentials (401): readiness reports it. */
  get problem(): string | null {
    return this.credentialsPausedUntil > this.deps.now() ? this.credentialsProblem : null;
  }

  /**
   * Stops starting turns and sending (a turn ends after the request it is waiting for), waits up
   * to `timeoutMs` for the turns under way while still renewing their claims, and gives up this
   * worker's claims and leases so others take over at once; returns whether all turns finished.
   */
  async stop(timeoutMs = 10_000): Promise<boolean> {
    if (!this.running) return true;
    this.running = false;
    this.kick();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.turns.values()).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    clearInterval(this.heartbeat);
    this.deps.enricher?.close();
    await this.unwatch?.();
    const { store, holder, log } = this.deps;
    try {
      // Conversations still in a turn keep their claims until those expire: their request may still be answered.
      await store.deliveries.releaseClaims(
        holder,
        [...this.claims.keys()].filter((id) => !this.turns.has(id)),
      );
      await store.leases.releaseLease('dispatch', holder);
      await store.leases.releaseLease('maintenance', holder);
    } catch (err) {
      log.warn({ err }, 'could not give up claims on shutdown; they expire on their own');
    }
    return finished;
  }

  private get leaseMs(): number {
    return this.deps.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  }

  /** A request started with less than this left on the claim could outlast it. */
  private get claimSafetyMs(): number {
    return this.deps.requestTimeoutMs + CLAIM_MARGIN_MS;
  }

  private async run(): Promise<void> {
    while (this.running) {
      // Under a stream of new work (a signal per committed webhook), one look at the store every
      // MIN_LOOK_INTERVAL_MS serves it all: each look reads every due conversation.
      const sinceLook = this.deps.now() - this.lastLook;
      if (this.kicked && sinceLook < MIN_LOOK_INTERVAL_MS)
        await new Promise((resolve) => setTimeout(resolve, MIN_LOOK_INTERVAL_MS - sinceLook));
      const look = this.kicked || this.deps.now() >= this.nextLook;
      this.kicked = false;
      try {
        await this.pass(look);
      } catch (err) {
        this.deps.log.error({ err }, 'delivery pass failed; retrying on the next pass');
      }
      if (this.running && !this.kicked) await this.idle();
      // A synchronous store (SQLite) could otherwise keep the loop on microtasks alone and starve
      // the event loop (answers from Teams, timers).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Lines up conversations whose wait is over and, when `look` (new work was committed, a retry
   * or pause ends, or the idle check), dispatches new events and claims conversations with due
   * work. Conversations waiting on their budget are not asked about again: they are lined up
   * when their wait is over, so a long wait costs nothing.
   */
  private async pass(look: boolean): Promise<void> {
    const { store, now } = this.deps;
    if (look) {
      // Set first: a look that fails is retried at the idle check, not at once.
      this.lastLook = now();
      await this.dispatch();
    }
    await this.maintain(now());
    const time = now();
    for (const [id, waiting] of this.notBefore) {
      if (waiting.at > time) continue;
      this.notBefore.delete(id);
      this.ready.set(id, waiting.conversation);
    }
    if (this.credentialsPausedUntil > time) return;
    // Claims only what this worker can start soon, so work left over goes to other workers.
    const room = this.concurrency * CLAIM_AHEAD - this.ready.size - this.turns.size;
    if (look && room > 0) {
      this.lastLook = time;
      const claimed = await store.deliveries.claimConversations({
        holder: this.deps.holder,
        now: time,
        leaseMs: this.leaseMs,
        limit: room,
        skip: [...this.ready.keys(), ...this.notBefore.keys()],
        staleRootsBefore: time - ROOT_UPDATE_INTERVAL_MS,
      });
      this.moreDue = claimed.length >= room;
      for (const { conversation, newestDue } of claimed) {
        this.claims.set(conversation.id, time + this.leaseMs);
        this.lineUp(conversation, newestDue);
      }
    }
    this.fill();
  }

  /** Dispatches everything committed so far, if no other worker is dispatching. */
  private async dispatch(): Promise<void> {
    const { store, holder, log, settings } = this.deps;
    const { connectionTenant, enricher } = this.deps;
    const deps = { store, log, vipTags: settings.vipTags, connectionTenant, enricher };
    if ((await store.deliveries.undispatchedEvents(1)).length === 0) return;
    if (!(await store.leases.acquireLease('dispatch', holder, this.deps.now(), DISPATCH_LEASE_MS))) return;
    try {
      while ((await dispatchPending(deps, this.deps.now())) > 0) {
        if (!(await store.leases.acquireLease('dispatch', holder, this.deps.now(), DISPATCH_LEASE_MS))) return;
      }
    } finally {
      await store.leases.releaseLease('dispatch', holder);
    }
  }

  /**
   * A conversation in a turn runs again afterwards only if the look saw a delivery newer than
   * the turn has read (what it read, it handles); others are lined up.
   */
  private lineUp(conversation: Target, newestDue: number | null): void {
    if (this.turns.has(conversation.id)) {
      if (newestDue === null || newestDue > (this.newestRead.get(conversation.id) ?? 0)) this.again.add(conversation.id);
    } else if (!this.notBefore.has(conversation.id)) {
      this.ready.set(conversation.id, { id: conversation.id, tenantId: conversation.tenantId });
    }
  }

  /**
   * Whether this worker may send a request to the conversation now: it is running and holds the
   * claim for longer than the request can take, so no other worker can take the conversation
   * over while the request is under way.
   */
  private holdsClaim(id: string): boolean {
    return this.running && (this.claims.get(id) ?? 0) - this.claimSafetyMs > this.deps.now();
  }

  /** Starts turns for lined-up conversations while there is capacity. */
  private fill(): void {
    if (!this.running) return;
    const now = this.deps.now();
    for (const [id, conversation] of this.ready) {
      if (this.turns.size >= this.concurrency || this.credentialsPausedUntil > now) return;
      this.ready.delete(id);
      if (!this.holdsClaim(id)) continue; // lost or expired: the next look claims it again if it is still due
      if (this.turns.has(id)) {
        this.again.add(id);
        continue;
      }
      const tenantWait = this.tenantWaits.get(conversation.tenantId) ?? 0;
      if (tenantWait > now) {
        this.waitUntil(conversation, tenantWait);
        continue;
      }
      this.notBefore.delete(id);
      this.startTurn(conversation);
    }
  }

  private get concurrency(): number {
    return this.deps.concurrency ?? 64;
  }

  private startTurn(conversation: Target): void {
    const conversationId = conversation.id;
    const turn = runConversationTurn(conversation, {
      ...this.deps,
      cards: this.cards,
      onCredentialsRejected: (reason) => this.credentialsRejected(reason),
      holdsClaim: (id) => this.holdsClaim(id),
      onRead: (id, newest) => this.newestRead.set(id, Math.max(newest, this.newestRead.get(id) ?? 0)),
      onTenantWait: (tenantId, at) => this.tenantWaits.set(tenantId, Math.max(at, this.tenantWaits.get(tenantId) ?? 0)),
    })
      .then(
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
      )
      .finally(() => {
        this.turns.delete(conversationId);
        this.newestRead.delete(conversationId);
        if (this.again.delete(conversationId) && !this.notBefore.has(conversationId)) this.waitUntil(conversation, this.deps.now());
        this.fill();
      });
    this.turns.set(conversationId, turn);
  }

  /** The conversation waits until `at`; an idle loop wakes by then. */
  private waitUntil(conversation: Target, at: number): void {
    this.notBefore.set(conversation.id, { at, conversation });
    if (this.wake !== null && at < this.idleUntil) {
      clearTimeout(this.idleTimer);
      this.idleUntil = at;
      this.idleTimer = setTimeout(this.wake, Math.max(0, at - this.deps.now()));
    }
  }

  /**
   * Extends the claims of conversations this worker is serving or will serve; forgets the ones
   * it lost (another worker took them after they expired) and the ones it no longer needs.
   */
  private async renewClaims(): Promise<void> {
    const { store, holder, log, now } = this.deps;
    const needed = [...new Set([...this.turns.keys(), ...this.ready.keys(), ...this.notBefore.keys()])];
    const time = now();
    const neededIds = new Set(needed);
    for (const [id, until] of this.claims) if (until <= time && !neededIds.has(id)) this.claims.delete(id);
    if (needed.length === 0) return;
    try {
      const held = new Set(await store.deliveries.renewClaims(holder, needed, time, this.leaseMs));
      for (const id of needed) {
        if (held.has(id)) {
          this.claims.set(id, time + this.leaseMs);
          continue;
        }
        this.claims.delete(id);
        this.ready.delete(id);
        this.notBefore.delete(id);
      }
      if (held.size < needed.length) log.warn({ lost: needed.length - held.size }, 'conversation claims lost to another worker');
    } catch (err) {
      // Not renewed: the claims run out on their own and turns stop before they do.
      log.error({ err }, 'could not renew conversation claims');
    }
  }

  private credentialsRejected(reason: string): void {
    const now = this.deps.now();
    if (this.credentialsPausedUntil <= now) {
      this.deps.log.error(
        { reason },
        'Teams rejected the bot credentials (401): delivery paused; check BOT_ID, BOT_PASSWORD, BOT_TENANT_ID and BOT_TYPE',
      );
    }
    this.credentialsProblem = `Teams rejected the bot credentials (${reason})`;
    this.credentialsPausedUntil = now + CREDENTIALS_PAUSE_MS;
  }

  /** Housekeeping once a minute, by one worker: budget history and message text retention. */
  private async maintain(now: number): Promise<void> {
    if (now - this.lastMaintenance < MAINTENANCE_EVERY_MS) return;
    this.lastMaintenance = now;
    const { store, holder } = this.deps;
    for (const [tenantId, at] of this.tenantWaits) if (at <= now) this.tenantWaits.delete(tenantId);
    if (!(await store.leases.acquireLease('maintenance', holder, now, MAINTENANCE_LEASE_MS))) return;
    await store.budget.prune(now);
    const purged = await store.events.purgeMessageText(now - this.deps.retentionMs, now);
    if (purged > 0) this.deps.log.info({ events: purged }, 'message text removed after the retention period');
    // Reply texts are kept only to draw "Replied by …" on the card again, as long as the message texts.
    const replies = await store.replies.purgeReplyText(now - this.deps.retentionMs);
    if (replies > 0) this.deps.log.info({ replies }, 'reply text removed after the retention period');
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
