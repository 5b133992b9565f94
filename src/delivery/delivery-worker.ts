/**
 * The delivery loop: turns committed events into delivery rows (dispatch), then posts due
 * deliveries to Teams. Everything it needs is read from the store, so a restart resumes.
 */
import type { Logger } from '../log';
import type { Store, DueDelivery } from '../store/store';
import { matchingConversations } from '../subscriptions/match';
import type { TeamsSender } from '../teams/sender';
import { toSendError } from '../teams/cloud-sender';
import { type CardSettings, deliveryCard, messageOf } from './delivery-card';
import { decideAfterFailure } from './retry-policy';

export interface DeliveryWorkerDeps {
  store: Store;
  sender: TeamsSender;
  log: Logger;
  now: () => number;
  random: () => number;
  settings: CardSettings;
  /** Longest idle wait before the store is checked again (work from other writers, clock drift). */
  idleCheckMs?: number;
  /** Deliveries sent at once, across different conversations. */
  concurrency?: number;
}

const BATCH = 100;

export class DeliveryWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: DeliveryWorkerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New work was committed: look now instead of at the next check. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Finishes the pass in progress and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      let busy = false;
      try {
        busy = (await this.dispatchPending()) || busy;
        busy = (await this.sendDue()) || busy;
      } catch (err) {
        this.deps.log.error({ err }, 'delivery pass failed; retrying on the next pass');
      }
      if (!busy && this.running && !this.kicked) await this.idle();
    }
  }

  /** Waits until kicked, the next delivery is due, or the idle check interval passes. */
  private async idle(): Promise<void> {
    const idleCheckMs = this.deps.idleCheckMs ?? 1000;
    const nextDue = await this.deps.store.nextDueAt();
    const untilDue = nextDue === null ? idleCheckMs : Math.max(0, nextDue - this.deps.now());
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, Math.min(idleCheckMs, untilDue));
      if (this.kicked || !this.running) resolve();
    });
    if (this.timer) clearTimeout(this.timer);
    this.wake = null;
  }

  /** Matches committed events against subscriptions and writes their delivery rows. */
  async dispatchPending(): Promise<boolean> {
    const { store, log, now, settings } = this.deps;
    const events = await store.undispatchedEvents(BATCH);
    if (events.length === 0) return false;
    const subscriptions = await store.activeSubscriptions();
    for (const event of events) {
      const message = messageOf(event);
      const contact = message.contactId ? await store.getContact(message.contactId) : null;
      const conversations = matchingConversations(subscriptions, { message, contact, vipTags: settings.vipTags });
      await store.dispatchEvent(event.id, conversations, now());
      log.info({ eventId: event.id, conversations: conversations.length }, 'event dispatched');
    }
    return true;
  }

  /** Sends due deliveries: at most one per conversation at a time, several conversations at once. */
  async sendDue(): Promise<boolean> {
    const due = await this.deps.store.dueDeliveries(this.deps.now(), BATCH);
    if (due.length === 0) return false;
    const firstPerConversation = new Map<string, DueDelivery>();
    for (const item of due) if (!firstPerConversation.has(item.conversation.id)) firstPerConversation.set(item.conversation.id, item);
    const queue = [...firstPerConversation.values()];
    const workers = Array.from({ length: Math.min(this.deps.concurrency ?? 8, queue.length) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) await this.deliver(item);
    });
    await Promise.all(workers);
    return true;
  }

  private async deliver({ delivery, event, conversation }: DueDelivery): Promise<void> {
    const { store, sender, now, settings } = this.deps;
    const log = this.deps.log.child({ deliveryId: delivery.id, eventId: event.id, conversationId: conversation.id });
    if (!conversation.active) {
      await store.markDead(delivery.id, `conversation inactive: ${conversation.removedReason ?? 'removed'}`, now());
      return;
    }
    let built;
    try {
      const message = messageOf(event);
      const contact = message.contactId ? await store.getContact(message.contactId) : null;
      built = deliveryCard(message, contact, settings);
    } catch (err) {
      log.error({ err }, 'card could not be built; delivery dead-lettered');
      await store.markDead(delivery.id, `card: ${(err as Error).message}`, now());
      return;
    }
    try {
      const result = await sender.postCard(conversation, built.card, built.summary);
      await store.markDelivered(delivery.id, result.activityId, now());
      log.info({ activityId: result.activityId, latencyMs: now() - event.receivedAt }, 'card delivered');
    } catch (err) {
      const error = toSendError(err);
      const decision = decideAfterFailure(error, delivery.attempts + 1, this.deps.random);
      const context = { status: error.status, code: error.code, attempts: delivery.attempts + 1 };
      if (decision.action === 'retry') {
        await store.markRetry(delivery.id, decision.reason, now() + decision.delayMs, now());
        if (error.status === 401) log.error(context, 'Teams rejected the bot credentials: check BOT_ID, BOT_PASSWORD and BOT_TENANT_ID');
        else log.warn({ ...context, retryInMs: decision.delayMs }, 'delivery failed; will retry');
      } else if (decision.action === 'deactivate') {
        await store.markDead(delivery.id, decision.reason, now());
        await store.deactivateConversation(conversation.id, `Teams answered ${decision.reason}`, now());
        log.warn(context, 'bot can no longer post in this conversation; its subscriptions were deactivated');
      } else {
        await store.markDead(delivery.id, decision.reason, now());
        log.error(context, 'delivery dead-lettered');
      }
    }
  }
}
