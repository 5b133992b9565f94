/**
 * Builds the "Open in klink" link from KLINK_ROOM_URL_TEMPLATE. Ids come from webhooks, so no id
 * may change where the link goes: each value is encoded as one URL component (RFC 3986 unreserved
 * characters only, so `(`, `)`, `'`, `*`, `!` cannot end a Markdown link either), an id that is a
 * dot segment (`.`, `..`, which browsers resolve to a parent path) is left out, and text that is not
 * well-formed (an unpaired surrogate, which encodeURIComponent throws on) is repaired, never thrown.
 */
import type { KlinkMessage } from './events';

/** Fills `{roomId}`, `{contactId}`, `{messageId}`, `{channelType}`, each encoded as one URL component. */
export function roomUrl(template: string, message: KlinkMessage): string {
  const values: Record<string, string> = {
    roomId: message.roomId,
    contactId: message.contactId,
    messageId: message.id,
    channelType: message.room.channelType,
  };
  return template.replace(/\{(roomId|contactId|messageId|channelType)\}/g, (_, key: string) => urlComponent(values[key] ?? ''));
}

/**
 * The link to a klink room known only by its id (a muted room): `{roomId}` filled, the other
 * placeholders left empty; null when the template does not name the room.
 */
export function roomIdUrl(template: string, roomId: string): string | null {
  if (!template.includes('{roomId}')) return null;
  return template.replace(/\{(roomId|contactId|messageId|channelType)\}/g, (_, key: string) =>
    key === 'roomId' ? urlComponent(roomId) : '',
  );
}

/** `value` as one URL component that cannot navigate: dot segments become empty. */
export function urlComponent(value: string): string {
  if (/^\.{1,2}$/.test(value)) return '';
  return encodeURIComponent(wellFormed(value)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Replaces unpaired UTF-16 surrogates with U+FFFD (what String#toWellFormed does in newer Node). */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
