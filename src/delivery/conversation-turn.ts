/**
 * One conversation's turn at Teams: post its due messages one by one (threaded per klink room in
 * channels) while its budget allows, combine them into a digest when there are more than the
 * budget allows, keep thread root cards current with spare budget, and handle Teams' errors.
 */
import type { Activity } from 'botbuilder';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { latestLine } from '../cards/latest-line';
import type { Conversation, DueDelivery, RoomThread, SlotRefusal, Store, StoredEvent } from '../store/store';
import { TeamsSendError, type TeamsSender } from '../teams/sender';
import { type HeldSlot, takeSlot } from './budget-slot';
import type { KlinkMessage } from '../klink/events';
import { type DigestBuild, buildDigest, cardFailureReason } from './build-digest';
import type { ReplyPolicy } from '../klink/reply-policy';
import { type CardSettings, type MessageCardCache, messageActivity, messageOf } from './delivery-card';
import { type FailureDecision, decideAfterFailure } from './retry-policy';
import { cardReplies, replyAction } from './reply-options';

export interface TurnDeps {
  store: Pick<Store, 'events' | 'conversations' | 'deliveries' | 'threads' | 'budget' | 'replies'>;
  /** Whether a message's card gets the Reply action (replies on for its klink connection). */
  replies: ReplyPolicy;
  sender: TeamsSender;
  log: Logger;
  metrics: Metrics;
  now: () => number;
  random: () => number;
  settings: CardSettings;
  cards: MessageCardCache;
  /** Later messages of a klink room reply in its thread while the thread is this recent. */
  threadWindowMs: number;
  /** Teams answered 401: the worker stops sending everywhere for a while. */
  onCredentialsRejected: (reason: string) => void;
  /**
   * Whether this worker may still send to the conversation (it holds the claim for longer than a
   * request can take): asked right before every request to Teams.
   */
  holdsClaim: (conversationId: string) => boolean;
  /** The turn read the conversation's queue up to this delivery. */
  onRead: (conversationId: string, newestDelivery: number) => void;
  /** The conversation's tenant has no budget left until `at`: other conversations of it need not ask before then. */
  onTenantWait: (tenantId: string, at: number) => void;
}

/** How a turn ended: run again after `waitMs` (0: at once), or nothing to do now (null). */
export type TurnOutcome = number | null;

/** Most messages one digest card stands for; more pending messages make further digests. */
export const DIGEST_MAX = 500;
/** A thread's root card is brought up to date at most this often… */
export const ROOT_UPDATE_INTERVAL_MS = 60_000;
/** …and only while the conversation has this much room left in its 1-second budget… */
const ROOT_UPDATE_MIN_HEADROOM = 4;
/** …and has used less than this share of its hourly budget. */
const ROOT_UPDATE_MAX_HOURLY_USE = 0.5;
const MAX_STEPS = 25;
/** After Teams rejected the credentials (401): when to look again. */
const CREDENTIALS_WAIT_MS = 60_000;

/**
 * Runs the conversation until nothing is due, its budget says wait, or it has had MAX_STEPS
 * requests. Returns the milliseconds after which it should run again, or null when it has
 * nothing more to do now.
 */
export async function runConversationTurn(target: { id: string; tenantId: string }, deps: TurnDeps): Promise<TurnOutcome> {
  const conversationId = target.id;
  for (let step = 0; step < MAX_STEPS; step++) {
    if (!deps.holdsClaim(conversationId)) return null;
    const now = deps.now();
    const pending = await deps.store.deliveries.pendingDeliveriesFor(conversationId, DIGEST_MAX);
    if (pending.length === 0) return updateStaleRoot(target, deps);
    deps.onRead(conversationId, pending[pending.length - 1].delivery.id);
    // Messages go out in the order they came: the oldest waits for its retry, the rest wait with it.
    if (pending[0].delivery.nextAttemptAt > now) return pending[0].delivery.nextAttemptAt - now;
    const firstNotDue = pending.findIndex((item) => item.delivery.nextAttemptAt > now);
    const due = firstNotDue === -1 ? pending : pending.slice(0, firstNotDue);
    const conversation = due[0].conversation;
    if (!conversation.active) {
      for (const item of due)
        await deps.store.deliveries.markDead(item.delivery.id, `conversation inactive: ${conversation.removedReason ?? 'removed'}`, now);
      deps.metrics.deliveries.inc({ result: 'dead' }, due.length);
      continue;
    }
    if (conversation.pausedUntil !== null && conversation.pausedUntil > now) return conversation.pausedUntil - now;
    const slot = await acquire(conversation, deps);
    if (!('grant' in slot)) return slot.waitMs;
    // More due than the budget allows one by one: one digest card stands for them all.
    const digest = due.length > 1 && due.length > slot.grant.headroom + 1;
    const wait = digest ? await sendDigest(conversation, due, slot, deps) : await sendOne(due[0], slot, deps);
    if (wait === CLAIM_LOST) return null;
    if (wait === DELIVERED) {
      // Everything read was sent and nothing else was pending: done without reading the queue
      // again (new work meanwhile comes with a signal that runs the conversation again), unless
      // a reply just made a thread root out of date that is due for its update.
      if ((digest ? due.length : 1) !== pending.length || pending.length >= DIGEST_MAX) continue;
      const replied = digest ? null : threadToReplyIn(due[0], deps);
      return replied !== null && replied.rootUpdatedAt <= deps.now() - ROOT_UPDATE_INTERVAL_MS ? updateStaleRoot(target, deps) : null;
    }
    if (wait > 0) return wait;
  }
  return 0;
}

/** The thread a message replies in: its room's thread in a channel, while that thread is recent. */
function threadToReplyIn(item: DueDelivery, deps: Pick<TurnDeps, 'now' | 'threadWindowMs'>): RoomThread | null {
  const thread = item.thread;
  const recent = thread !== null && deps.now() - thread.lastPostedAt <= deps.threadWindowMs;
  return item.conversation.type === 'channel' && item.event.roomId !== null && item.event.roomId !== '' && recent ? thread : null;
}

/**
 * What sendOne and sendDigest return when Teams took the card, or when nothing was sent because
 * the claim is no longer safe to use (otherwise: milliseconds to wait, 0 for none).
 */
const DELIVERED = -1;
const CLAIM_LOST = -2;

/** Right before a request: false (and the slot given back) when the claim may pass to another worker while it runs. */
async function mayStillSend(conversationId: string, slot: HeldSlot, deps: TurnDeps): Promise<boolean> {
  if (deps.holdsClaim(conversationId)) return true;
  await slot.release();
  return false;
}

/** Sends one message: a new post (thread root) or a reply in the room's recent thread; DELIVERED or a wait. */
async function sendOne(item: DueDelivery, slot: HeldSlot, deps: TurnDeps): Promise<number> {
  const { store, now } = deps;
  const { delivery, event, conversation, contact } = item;
  const log = deps.log.child({ deliveryId: delivery.id, eventId: event.id, conversationId: conversation.id });
  let activity: Partial<Activity>;
  let message: KlinkMessage;
  let threadRoot: string | null;
  try {
    // Inside: a stored event that cannot be read is dead-lettered, not a turn that fails for ever.
    message = messageOf(event);
    threadRoot = threadToReplyIn(item, deps)?.rootActivityId ?? null;
    const reply = await replyAction(event, message, deps.replies);
    activity = deps.cards.activity(event, message, contact, { subscriptionIds: delivery.subscriptionIds, shrink: delivery.shrink, reply });
  } catch (err) {
    const reason = cardFailureReason(err);
    log.error(err instanceof SyntaxError ? { reason } : { err, reason }, 'card could not be built; delivery dead-lettered');
    await slot.release();
    await store.deliveries.markDead(delivery.id, reason, now());
    deps.metrics.deliveries.inc({ result: 'dead' });
    deps.metrics.deadLetters.inc();
    return 0;
  }
  if (!(await mayStillSend(conversation.id, slot, deps))) return CLAIM_LOST;
  let result;
  try {
    result =
      threadRoot !== null ? await deps.sender.reply(conversation, threadRoot, activity) : await deps.sender.post(conversation, activity);
  } catch (err) {
    await slot.release();
    return handleFailure([item], err, deps, log);
  }
  // Recorded outside the send's error handling: a store failure here is not Teams refusing the
  // card. The turn fails and the delivery stays pending, so the card is sent again (at least once).
  const request = slot.answered();
  const base = { conversationId: conversation.id, roomId: message.roomId, eventId: event.id };
  const thread =
    threadRoot !== null
      ? { kind: 'add' as const, ...base }
      : conversation.type === 'channel' && message.roomId !== '' && result.activityId !== null
        ? { kind: 'start' as const, ...base, rootActivityId: result.activityId }
        : null;
  await store.deliveries.recordDelivered(
    { deliveryId: delivery.id, activityId: result.activityId, via: threadRoot === null ? 'post' : 'reply', request, thread },
    now(),
  );
  delivered(deps, [item], 'delivered');
  log.info({ via: threadRoot === null ? 'post' : 'reply', latencyMs: now() - event.receivedAt }, 'card delivered');
  return DELIVERED;
}

/**
 * Combines the due messages into one digest card posted in the conversation; DELIVERED or a wait.
 * A message the digest cannot show is dead-lettered on its own and the others still go out.
 */
async function sendDigest(conversation: Conversation, due: DueDelivery[], slot: HeldSlot, deps: TurnDeps): Promise<number> {
  const { store, now } = deps;
  const log = deps.log.child({ conversationId: conversation.id, digestOf: due.length });
  let built: DigestBuild;
  try {
    built = buildDigest(
      due,
      deps.settings,
      "Combined into one post to stay within Teams' posting limits for this channel.",
      Math.max(...due.map((d) => d.delivery.shrink)),
    );
  } catch (err) {
    // Each message can be shown, only not together: they go one by one (sendOne dead-letters a card it cannot build).
    log.warn({ err }, 'digest could not be built; sending the oldest message alone');
    return sendOne(due[0], slot, deps);
  }
  for (const { item, reason } of built.refused) {
    await store.deliveries.markDead(item.delivery.id, reason, now());
    log.error(
      { deliveryId: item.delivery.id, eventId: item.event.id, reason },
      'message cannot be shown in a digest; delivery dead-lettered',
    );
  }
  if (built.refused.length > 0) {
    deps.metrics.deliveries.inc({ result: 'dead' }, built.refused.length);
    deps.metrics.deadLetters.inc(built.refused.length);
  }
  const { activity, included } = built;
  if (activity === null) {
    await slot.release();
    return 0;
  }
  if (!(await mayStillSend(conversation.id, slot, deps))) return CLAIM_LOST;
  let result;
  try {
    result = await deps.sender.post(conversation, activity);
  } catch (err) {
    await slot.release();
    return handleFailure(included, err, deps, log);
  }
  await store.deliveries.markDigested(
    included.map((d) => d.delivery.id),
    result.activityId,
    now(),
    slot.answered(),
  );
  delivered(deps, included, 'digested');
  log.info({ activityId: result.activityId, deliveries: included.length }, 'digest delivered');
  return DELIVERED;
}

/** With spare budget, brings the oldest out-of-date thread root card up to date (latest message, count). */
async function updateStaleRoot(target: { id: string; tenantId: string }, deps: TurnDeps): Promise<TurnOutcome> {
  const { store, now } = deps;
  const conversationId = target.id;
  const [thread] = await store.threads.staleRoomThreads(conversationId, now() - ROOT_UPDATE_INTERVAL_MS);
  if (!thread) return null;
  const conversation = await store.conversations.getConversation(conversationId);
  if (!conversation?.active) return null;
  if ((conversation.pausedUntil ?? 0) > now()) return null;
  const slot = await acquire(conversation, deps, {
    spare: { headroom: ROOT_UPDATE_MIN_HEADROOM, hourlyShare: ROOT_UPDATE_MAX_HOURLY_USE },
  });
  if (!('grant' in slot)) {
    // No spare budget: look again after the interval rather than on every pass.
    if (slot.blockedBy === 'spare') await store.threads.deferRootUpdate(conversationId, thread.roomId, now());
    return slot.blockedBy === 'spare' ? null : slot.waitMs;
  }
  const [root, latest] = await Promise.all([store.events.getEvent(thread.rootEventId), store.events.getEvent(thread.latestEventId)]);
  if (!root || !latest) {
    await slot.release();
    return null;
  }
  const activity = await rootActivity(root, latest, thread, deps);
  if (!(await mayStillSend(conversationId, slot, deps))) return null;
  try {
    await deps.sender.update(conversation, thread.rootActivityId, activity, thread.rootActivityId);
    await slot.release();
    deps.metrics.teamsRequests.inc({ kind: 'update', status: 'ok' });
  } catch (err) {
    await slot.release();
    const error = toSendError(err);
    deps.log.warn({ conversationId, status: error.status, code: error.code }, 'thread root card could not be updated');
    if (error.status === 429) await store.conversations.pauseConversation(conversationId, now() + (error.retryAfterMs ?? 5_000));
    await store.threads.deferRootUpdate(conversationId, thread.roomId, now());
    return null;
  }
  await store.threads.markRootUpdated(conversationId, thread.roomId, now());
  return null;
}

/**
 * The root card again, as the room stands at its newest message: the root message with the
 * newest unread count, the count and latest line, and the buttons the root was posted with
 * (Unsubscribe names the subscriptions that matched the root message here).
 */
async function rootActivity(root: StoredEvent, latest: StoredEvent, thread: RoomThread, deps: TurnDeps): Promise<Partial<Activity>> {
  const { store } = deps;
  const message = messageOf(root);
  const latestMessage = messageOf(latest);
  const contact = message.contactId ? await store.events.getContact(message.contactId) : null;
  const rootDelivery = await store.deliveries.getDelivery(root.id, thread.conversationId);
  return messageActivity({ ...message, room: { ...message.room, unreadCount: latestMessage.room.unreadCount } }, contact, deps.settings, {
    controls: { eventId: root.id, subscriptionIds: rootDelivery?.subscriptionIds ?? [] },
    // A reply sent from the root card stays on it (the card is drawn anew, with a new action key).
    reply: await replyAction(root, message, deps.replies),
    replies: await cardReplies(store.replies, thread.conversationId, root.id),
    thread: { messageCount: thread.messageCount, latestText: latestLine(latestMessage), latestAt: latestMessage.createdAt },
  });
}

/**
 * Takes a request slot from Teams' budget (conversation and tenant windows, pauses), or says how
 * long to wait; a tenant-wide wait is passed on so the tenant's other conversations wait without asking.
 */
async function acquire(
  conversation: Pick<Conversation, 'id' | 'tenantId'>,
  deps: TurnDeps,
  options?: Parameters<typeof takeSlot>[3],
): Promise<HeldSlot | SlotRefusal> {
  const slot = await takeSlot(deps.store.budget, conversation, deps.now, options);
  if (!('grant' in slot) && slot.blockedBy === 'tenant') deps.onTenantWait(conversation.tenantId, deps.now() + slot.waitMs);
  return slot;
}

function delivered(deps: TurnDeps, items: DueDelivery[], result: 'delivered' | 'digested'): void {
  deps.metrics.deliveries.inc({ result }, items.length);
  deps.metrics.teamsRequests.inc({ kind: result === 'digested' ? 'digest' : 'post', status: 'ok' });
  const now = deps.now();
  for (const { event } of items) deps.metrics.webhookToTeams.observe((now - event.receivedAt) / 1000);
}

/**
 * Records what a failed request means for its deliveries; returns how long the conversation must
 * wait. What concerns the conversation (429, 401, the bot removed) applies to all of them alike;
 * attempts, backoff and dead-lettering are each delivery's own (a digest's messages arrived at
 * different times and have been tried different numbers of times).
 */
async function handleFailure(items: DueDelivery[], err: unknown, deps: TurnDeps, log: Logger): Promise<number> {
  const { store, now, metrics } = deps;
  const error = toSendError(err);
  const { conversation } = items[0];
  const decisions = items.map((item) => ({
    item,
    decision: decideAfterFailure(error, item.delivery.attempts + 1, item.delivery.shrink, deps.random),
  }));
  const context = { status: error.status, code: error.code, deliveries: items.length };
  metrics.teamsRequests.inc({ kind: items.length > 1 ? 'digest' : 'post', status: String(error.status ?? 'none') });
  const first = decisions[0].decision;
  switch (first.action) {
    case 'throttled': {
      // The conversation is paused; its deliveries stay as they are (a 429 is not a failed attempt).
      await store.conversations.pauseConversation(conversation.id, now() + first.pauseMs);
      metrics.deliveries.inc({ result: 'throttled' }, items.length);
      log.warn({ ...context, pauseMs: first.pauseMs }, 'Teams throttled this conversation; pausing it');
      return first.pauseMs;
    }
    case 'credentials':
      for (const { delivery } of items) await store.deliveries.markRetry(delivery.id, first.reason, now() + CREDENTIALS_WAIT_MS, now());
      deps.onCredentialsRejected(first.reason);
      return CREDENTIALS_WAIT_MS;
    case 'deactivate':
      // Conversation first: once its deliveries read dead, the conversation already reads inactive (and a crash in
      // between leaves the deliveries to the next turn, which dead-letters them as "conversation inactive").
      await store.conversations.deactivateConversation(conversation.id, `Teams answered ${first.reason}`, now());
      for (const { delivery } of items) await store.deliveries.markDead(delivery.id, first.reason, now());
      metrics.deliveries.inc({ result: 'deactivated' }, items.length);
      log.warn(context, 'bot can no longer post in this conversation; its subscriptions were deactivated');
      return 0;
    default:
      return recordEach(decisions, deps, log, context);
  }
}

/** Shrink, retry or dead-letter, each delivery by its own decision; returns the wait before the next request. */
async function recordEach(
  decisions: Array<{ item: DueDelivery; decision: FailureDecision }>,
  deps: TurnDeps,
  log: Logger,
  context: Record<string, unknown>,
): Promise<number> {
  const { store, now, metrics } = deps;
  const counts = { shrunk: 0, dead: 0, retry: 0 };
  const retryDelays: number[] = [];
  /** Dead-lettered deliveries by reason (one log line per reason, not per message of a digest). */
  const dead = new Map<string, number[]>();
  for (const {
    item: { delivery },
    decision,
  } of decisions) {
    switch (decision.action) {
      case 'shrink':
        await store.deliveries.markShrink(delivery.id, decision.reason, now());
        counts.shrunk += 1;
        break;
      case 'retry':
        await store.deliveries.markRetry(delivery.id, decision.reason, now() + decision.delayMs, now());
        retryDelays.push(decision.delayMs);
        counts.retry += 1;
        break;
      default:
        await store.deliveries.markDead(delivery.id, decision.reason, now());
        dead.set(decision.reason, [...(dead.get(decision.reason) ?? []), delivery.id]);
        counts.dead += 1;
    }
  }
  for (const [reason, ids] of dead)
    log.error({ ...context, reason, deadLettered: ids.length, deliveryIds: ids.slice(0, 20) }, 'delivery dead-lettered');
  if (counts.shrunk > 0) {
    metrics.deliveries.inc({ result: 'shrunk' }, counts.shrunk);
    log.warn({ ...context, shrunk: counts.shrunk }, 'card too large for Teams; sending a smaller one');
  }
  if (counts.dead > 0) {
    metrics.deliveries.inc({ result: 'dead' }, counts.dead);
    metrics.deadLetters.inc(counts.dead);
  }
  if (counts.retry === 0) return 0;
  metrics.deliveries.inc({ result: 'retry' }, counts.retry);
  metrics.retries.inc(counts.retry);
  const wait = Math.min(...retryDelays);
  log.warn(
    { ...context, retried: counts.retry, retryInMs: wait, ...(counts.dead > 0 ? { dead: counts.dead } : {}) },
    'delivery failed; will retry',
  );
  // A delivery shrunk or dead-lettered frees the queue at once; otherwise the soonest retry is the next request.
  return counts.shrunk + counts.dead > 0 ? 0 : wait;
}

function toSendError(err: unknown): TeamsSendError {
  if (err instanceof TeamsSendError) return err;
  return new TeamsSendError(err instanceof Error ? err.message : String(err), null, 'Unexpected', null);
}
