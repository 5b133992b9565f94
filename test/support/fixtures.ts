/** Sample klink payloads (samples/: klink's documented samples and our constructed variants) and builders. */
import fs from 'node:fs';
import path from 'node:path';

export const SAMPLES = path.resolve(__dirname, '../../samples');

export type Json = Record<string, unknown>;

/** Reads one of the project's samples under samples/ (what npm run send-sample sends). */
export function sample(name: string): Json {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES, `${name}.json`), 'utf8')) as Json;
}

/** A message event built from klink's inbound sample with fields overridden. */
export function messageEvent(
  overrides: {
    event?: string;
    id?: string;
    text?: string;
    channelType?: string;
    contactId?: string;
    roomId?: string;
    isGroup?: boolean;
    isAiAgentRoom?: boolean;
    unreadCount?: number;
    direction?: string;
    type?: string;
  } = {},
): Json {
  const base = sample('message.inbound') as { event: string; timestamp: string; data: Json & { room: Json & { channel: Json } } };
  const data: Json & { room: Json & { channel: Json } } = {
    ...base.data,
    room: { ...base.data.room, channel: { ...base.data.room.channel } },
  };
  if (overrides.id !== undefined) data.id = overrides.id;
  if (overrides.text !== undefined) data.message = overrides.text;
  if (overrides.contactId !== undefined) data.contactId = overrides.contactId;
  if (overrides.roomId !== undefined) data.roomId = overrides.roomId;
  if (overrides.direction !== undefined) data.direction = overrides.direction;
  if (overrides.type !== undefined) data.type = overrides.type;
  if (overrides.channelType !== undefined) data.room.channel.type = overrides.channelType;
  if (overrides.isGroup !== undefined) data.room.isGroup = overrides.isGroup;
  if (overrides.isAiAgentRoom !== undefined) data.room.isAiAgentRoom = overrides.isAiAgentRoom;
  if (overrides.unreadCount !== undefined) data.room.unreadCount = overrides.unreadCount;
  return { event: overrides.event ?? base.event, timestamp: base.timestamp, data };
}

/** A contact event for `id` with the given tags. */
export function contactEvent(id: string, tags: string[], name = 'John', updatedAt = '2026-01-10T08:00:00.000000Z'): Json {
  const base = sample('contact.update') as { data: Json };
  return {
    event: 'contact.update',
    timestamp: updatedAt,
    data: { ...base.data, id, name, updatedAt, tags: tags.map((tag, i) => ({ id: `tag-${i}`, name: tag })) },
  };
}
