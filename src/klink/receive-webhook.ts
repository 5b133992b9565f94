/**
 * Receiving one klink webhook, in order: content type → auth over the raw bytes → JSON →
 * envelope → durable store. The answer is 200 only once the event is committed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookAuth } from '../config';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';
import {
  type Envelope,
  type KlinkContact,
  contactFieldsPresent,
  dataId,
  eventKind,
  parseEnvelope,
  readContact,
  readMessage,
} from './events';
import { identifierProblems } from './identifiers';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { verifyWebhook } from './verify';

/** klink sends JSON; anything else is refused before it is read. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookAnswer {
  status: 200 | 400 | 401 | 413 | 415;
  body: { ok: boolean; result?: 'stored' | 'duplicate' | 'ignored'; error?: string; problems?: string[] };
}

export interface WebhookDeps {
  store: Store;
  log: Logger;
  now: () => number;
  metrics: Metrics;
}

/**
 * What is kept of an event: for contacts only name and tags; for messages everything but the
 * platform id (a phone number on WhatsApp). No e-mails, phone numbers or addresses are stored.
 */
function storedPayload(envelope: Envelope, contact: KlinkContact | undefined): string {
  const { event, timestamp, data } = envelope;
  if (contact)
    return JSON.stringify({
      event,
      timestamp,
      data: { id: contact.id, name: contact.name, tags: contact.tags, updatedAt: contact.updatedAt },
    });
  const { platformId: _platformId, ...kept } = data;
  return JSON.stringify({ event, timestamp, data: kept });
}

/** The room and contact a message event is stored with (what delivery reads it by). */
function messageKeys(message: { roomId: string; contactId: string }): { roomId?: string; contactId?: string } {
  return { roomId: message.roomId || undefined, contactId: message.contactId || undefined };
}

/** True for `application/json` (any charset) and `+json` types. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const type = value.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** Handles a webhook whose body was read completely and is within MAX_WEBHOOK_BYTES. */
export async function receiveWebhook(
  connection: { id: string; auth: WebhookAuth },
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  deps: WebhookDeps,
): Promise<WebhookAnswer> {
  const log = deps.log.child({ connectionId: connection.id });
  const verified = verifyWebhook(connection.auth, headers, rawBody);
  if (!verified.ok) {
    log.warn({ authMode: connection.auth.mode, reason: verified.reason, ...verified.detail }, 'webhook rejected: authentication failed');
    return { status: 401, body: { ok: false, error: 'authentication failed' } };
  }

  // Before parsing: recursive work on a body nested thousands deep overflows the stack (a 500).
  if (nestsDeeperThan(rawBody, MAX_JSON_DEPTH)) {
    log.warn({ bodyBytes: rawBody.length, maxDepth: MAX_JSON_DEPTH }, 'webhook rejected: nested too deeply');
    return { status: 400, body: { ok: false, error: `body nested more than ${MAX_JSON_DEPTH} levels deep` } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    log.warn({ bodyBytes: rawBody.length, parseError: (err as Error).name }, 'webhook rejected: malformed JSON');
    return { status: 400, body: { ok: false, error: 'body is not valid JSON' } };
  }
  const envelope = parseEnvelope(parsed);
  if (!envelope.ok) {
    log.warn({ problems: envelope.problems }, 'webhook rejected: invalid envelope');
    return { status: 400, body: { ok: false, error: 'invalid event envelope', problems: envelope.problems } };
  }

  const { event, data } = envelope.envelope;
  const kind = eventKind(event);
  if (kind === 'ignored') {
    log.info({ event }, 'webhook acknowledged: event type not used');
    return { status: 200, body: { ok: true, result: 'ignored' } };
  }
  const id = dataId(data);
  if (id === null) {
    log.warn({ event }, 'webhook rejected: data.id missing');
    return { status: 400, body: { ok: false, error: 'invalid event', problems: ['"data.id" must be a non-empty string'] } };
  }
  const badIds = identifierProblems(data, kind);
  if (badIds.length > 0) {
    log.warn({ event, problems: badIds }, 'webhook rejected: invalid identifiers');
    return { status: 400, body: { ok: false, error: 'invalid identifiers', problems: badIds } };
  }

  const contact = kind === 'contact' ? { ...readContact(data), present: contactFieldsPresent(data) } : undefined;
  const stored = await deps.store.events.recordEvent({
    connectionId: connection.id,
    eventType: event.toLowerCase(),
    // A contact keeps its id across updates: each version is its own event.
    dataId: contact ? `${id}@${contact.updatedAt ?? envelope.envelope.timestamp}` : id,
    kind,
    payload: storedPayload(envelope.envelope, contact),
    receivedAt: deps.now(),
    ...(kind === 'message' ? messageKeys(readMessage(event, data)) : {}),
    contact,
  });
  log.info({ event, eventId: stored.eventId, dataId: id, duplicate: stored.duplicate }, 'webhook stored');
  return { status: 200, body: { ok: true, result: stored.duplicate ? 'duplicate' : 'stored' } };
}
