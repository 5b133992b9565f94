/**
 * Where klink's inbox is, for a digest's "…and 31 more in klink": KLINK_ROOM_URL_TEMPLATE up to
 * the last `/` before its first placeholder (https://app.klink.cloud/inbox/{roomId} gives
 * https://app.klink.cloud/inbox/), so no setting of its own is needed.
 */

/**
 * The inbox address derived from the room URL template, with `(`, `)` and spaces percent-encoded
 * for use in a markdown link; null when the template's placeholders leave no usable address.
 */
export function inboxUrl(roomUrlTemplate: string): string | null {
  const placeholder = roomUrlTemplate.indexOf('{');
  const head = placeholder === -1 ? roomUrlTemplate : roomUrlTemplate.slice(0, roomUrlTemplate.lastIndexOf('/', placeholder) + 1);
  if (!URL.canParse(head)) return null;
  const url = new URL(head);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.href.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
