/** One card standing for many messages, when a channel gets more than Teams lets us post one by one. */
import { channelDisplayName } from './channel-names';
import { escapeMarkdown, markdownLink } from './escape-markdown';
import { type AdaptiveCardJson, CardTooLargeError, renderTemplate } from './render';
import template from './templates/digest-card.json';
import { truncateText } from './truncate-text';

export interface DigestRoom {
  channelType: string;
  contactName: string;
  vip: boolean;
  count: number;
  /** Text of the newest message of the room in this digest. */
  latestText: string;
  /** Where the room's newest message stands in the digest (higher is newer): rooms are listed newest first. */
  newest: number;
  roomUrl: string;
}

/** Rooms listed one by one, then a line for the rest (counts stay complete). */
const SHOWN_ROOMS = [20, 10, 5, 2];
const LATEST_LIMIT = 160;

/**
 * Lists the rooms with the most recent first (the newest message is never among those left out),
 * then one line linking the rest to klink's inbox (`inboxUrl`, or no link when null).
 * `shrink` (Teams refused it as too large that often) starts with fewer rooms listed.
 */
export function buildDigestCard(input: {
  rooms: DigestRoom[];
  reason: string;
  inboxUrl: string | null;
  shrink?: number;
}): AdaptiveCardJson {
  const total = input.rooms.reduce((n, r) => n + r.count, 0);
  const rooms = [...input.rooms].sort((a, b) => b.newest - a.newest);
  const steps = SHOWN_ROOMS.slice(Math.min(input.shrink ?? 0, SHOWN_ROOMS.length - 1));
  for (const shown of steps) {
    const listed = rooms.slice(0, shown);
    const rest = rooms.slice(shown);
    const restCount = rest.reduce((n, r) => n + r.count, 0);
    try {
      return renderTemplate(template, {
        title: `${total} klink message${total === 1 ? '' : 's'} in ${rooms.length} conversation${rooms.length === 1 ? '' : 's'}`,
        subtitle: escapeMarkdown(input.reason),
        rooms: listed.map((room) => ({
          heading: escapeMarkdown(
            `${channelDisplayName(room.channelType)} · ${truncateText(room.contactName || 'Unknown contact', 80).text}${room.vip ? ' · VIP' : ''} · ${room.count} message${room.count === 1 ? '' : 's'}`,
          ),
          latest: escapeMarkdown(truncateText(room.latestText.trim() || '(no text)', LATEST_LIMIT).text),
          link: markdownLink('Open in klink', room.roomUrl),
        })),
        more: rest.length === 0 ? '' : moreLine(restCount, rest.length, input.inboxUrl),
      });
    } catch (err) {
      if (!(err instanceof CardTooLargeError) || shown === steps[steps.length - 1]) throw err;
    }
  }
  throw new Error('unreachable');
}

/** "[…and 31 more in klink](inbox) from 12 other conversations". */
function moreLine(messages: number, conversations: number, inboxUrl: string | null): string {
  const more = `…and ${messages} more in klink`;
  return `${inboxUrl === null ? more : markdownLink(more, inboxUrl)} from ${conversations} other conversation${conversations === 1 ? '' : 's'}`;
}
