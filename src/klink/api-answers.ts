/**
 * Reads klink's API answers loosely: klink documents its shapes only in part, so known fields are
 * kept when they have the expected type, extras are ignored, and missing ones become null or empty.
 * Only an answer without its `data` object is refused (as a malformed answer).
 */
import { KlinkApiError } from './api-errors';

/** A contact as `GET /contacts/{id}` tells it. */
export interface KlinkApiContact {
  id: string;
  name: string | null;
  tags: { id: string | null; name: string }[];
}

/** What `POST /messages/send` tells about the message it sent. */
export interface KlinkSendResult {
  /** klink's id of the sent message, when the answer carries one. */
  messageId: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

/** Parses an answer body into `unknown`; unreadable JSON is a malformed answer. */
export function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new KlinkApiError(
      'malformed-answer',
      `klink's answer to ${what} is not valid JSON (${(error as Error).name}); check KLINK_API_BASE_URL points at klink's API`,
    );
  }
}

function dataOf(answer: unknown, what: string): Record<string, unknown> {
  if (isRecord(answer) && isRecord(answer.data)) return answer.data;
  throw new KlinkApiError(
    'malformed-answer',
    `klink's answer to ${what} has no data object; check KLINK_API_BASE_URL points at klink's API`,
  );
}

/** The contact in a `GET /contacts/{id}` answer; `requestedId` fills in a missing id. */
export function readContact(answer: unknown, requestedId: string): KlinkApiContact {
  const data = dataOf(answer, 'the contact look-up');
  const tags = Array.isArray(data.tags) ? data.tags : [];
  return {
    id: idOf(data.id) ?? requestedId,
    name: typeof data.name === 'string' && data.name.trim() !== '' ? data.name : null,
    tags: tags.flatMap(readTag),
  };
}

/**
 * A tag: an object with a name (one with `deletedAt` set was removed from the contact, as in
 * klink's webhooks) or a plain string (klink takes tags as strings in PATCH /contacts/{id}/tags).
 */
function readTag(tag: unknown): KlinkApiContact['tags'] {
  if (typeof tag === 'string') return tag.trim() === '' ? [] : [{ id: null, name: tag.trim() }];
  if (!isRecord(tag) || typeof tag.name !== 'string' || tag.name.trim() === '') return [];
  if (tag.deletedAt !== null && tag.deletedAt !== undefined) return [];
  return [{ id: idOf(tag.id), name: tag.name.trim() }];
}

/** The result in a `POST /messages/send` answer; any success answer counts as sent. */
export function readSendResult(answer: unknown): KlinkSendResult {
  const data = isRecord(answer) && isRecord(answer.data) ? answer.data : {};
  return { messageId: idOf(data.id) ?? idOf(data.messageId) };
}
