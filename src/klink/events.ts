/**
 * klink webhook events: a strict envelope and a lenient `data`.
 *
 * klink documents the envelope `{ event, timestamp, data }` but only one sample of `data`
 * (see klink's webhook guide), so `data` is read field by field with safe defaults and unknown
 * message types are kept rather than rejected.
 */

import { MAX_ID_LENGTH } from './identifiers';

export type Direction = 'inbound' | 'outbound';

/** A message as posted by klink in `message.inbound` / `message.outbound`. */
export interface KlinkMessage {
  id: string;
  /** text, image, file, … (raw, lower case); unknown types are kept. */
  type: string;
  direction: Direction;
  /** The message body; for media messages klink sends the media URL here. */
  text: string;
  createdAt: string;
  contactId: string;
  roomId: string;
  room: KlinkRoom;
}

export interface KlinkRoom {
  isGroup: boolean;
  isAiAgentRoom: boolean;
  /** Raw channel type, lower case (`whatsapp`, `messenger`, …); `unknown` when absent. */
  channelType: string;
  /** The inbox name, e.g. "klink.cloud WA". */
  channelName: string;
  unreadCount: number;
}

/** A klink contact, as far as filters and cards need it. */
export interface KlinkContact {
  id: string;
  name: string;
  tags: string[];
  /** The contact's own `updatedAt`, used to ignore stale updates that arrive late. */
  updatedAt: string | null;
}

export interface Envelope {
  event: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export type EnvelopeResult = { ok: true; envelope: Envelope } | { ok: false; problems: string[] };

/** Validates the envelope strictly. `body` is the parsed JSON, still `unknown`. */
export function parseEnvelope(body: unknown): EnvelopeResult {
  if (!isRecord(body)) return { ok: false, problems: ['body must be a JSON object'] };
  const problems: string[] = [];
  const { event, timestamp, data } = body;
  if (typeof event !== 'string' || !/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/i.test(event)) {
    problems.push('"event" must be a dotted event name such as "message.inbound"');
  }
  if (typeof timestamp !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
    problems.push('"timestamp" must be an ISO 8601 date-time string');
  }
  if (!isRecord(data)) problems.push('"data" must be an object');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    envelope: { event: event as string, timestamp: timestamp as string, data: data as Record<string, unknown> },
  };
}

export type EventKind = 'message' | 'contact' | 'ignored';

/** What we do with an event type: deliver messages, keep contacts, acknowledge the rest. */
export function eventKind(event: string): EventKind {
  const name = event.toLowerCase();
  if (name === 'message.inbound' || name === 'message.outbound') return 'message';
  if (name === 'contact.delete' || name === 'contact.deleted') return 'ignored';
  if (name.startsWith('contact.')) return 'contact';
  return 'ignored';
}

/** The dedupe key of an event's `data`: klink sends no delivery id, so `data.id` is used. */
export function dataId(data: Record<string, unknown>): string | null {
  const id = data.id;
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return null;
}

/** Reads a message leniently; only `data.id` is required (checked by the caller). */
export function readMessage(event: string, data: Record<string, unknown>): KlinkMessage {
  const room = isRecord(data.room) ? data.room : {};
  const channel = isRecord(room.channel) ? room.channel : {};
  const rawDirection = str(data.direction).toLowerCase();
  const direction: Direction =
    rawDirection === 'outgoing' || rawDirection === 'outbound' || event.toLowerCase() === 'message.outbound' ? 'outbound' : 'inbound';
  return {
    id: dataId(data) ?? '',
    type: str(data.type).toLowerCase() || 'text',
    direction,
    text: str(data.message),
    createdAt: str(data.createdAt),
    contactId: str(data.contactId).slice(0, MAX_ID_LENGTH),
    roomId: str(data.roomId).slice(0, MAX_ID_LENGTH),
    room: {
      isGroup: room.isGroup === true,
      isAiAgentRoom: room.isAiAgentRoom === true,
      channelType: str(channel.type).toLowerCase().slice(0, MAX_ID_LENGTH) || 'unknown',
      channelName: str(channel.name),
      unreadCount:
        typeof room.unreadCount === 'number' && Number.isFinite(room.unreadCount) && room.unreadCount >= 0
          ? Math.floor(room.unreadCount)
          : 0,
    },
  };
}

/** Reads a contact from a `contact.*` event; tags may be objects `{ name }` or plain strings. */
export function readContact(data: Record<string, unknown>): KlinkContact {
  const tags = Array.isArray(data.tags) ? data.tags : [];
  const names = tags
    // A tag object with deletedAt set was removed from the contact.
    .filter((tag) => !(isRecord(tag) && tag.deletedAt !== null && tag.deletedAt !== undefined))
    .map((tag) => (typeof tag === 'string' ? tag : isRecord(tag) ? str(tag.name) : ''))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const updatedAt = str(data.updatedAt);
  return {
    id: dataId(data) ?? '',
    name: str(data.name).trim(),
    tags: [...new Set(names)],
    updatedAt: updatedAt !== '' && !Number.isNaN(Date.parse(updatedAt)) ? updatedAt : null,
  };
}

/** Which contact fields an event actually carries: absent fields must not erase what we know. */
export function contactFieldsPresent(data: Record<string, unknown>): { name: boolean; tags: boolean } {
  return { name: typeof data.name === 'string' && data.name.trim() !== '', tags: Array.isArray(data.tags) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}
