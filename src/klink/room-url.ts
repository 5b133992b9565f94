/** Builds the "Open in klink" link from KLINK_ROOM_URL_TEMPLATE. */
import type { KlinkMessage } from './events';

/** Fills `{roomId}`, `{contactId}`, `{messageId}`, `{channelType}`, each URL-encoded. */
export function roomUrl(template: string, message: KlinkMessage): string {
  const values: Record<string, string> = {
    roomId: message.roomId,
    contactId: message.contactId,
    messageId: message.id,
    channelType: message.room.channelType,
  };
  return template.replace(/\{(roomId|contactId|messageId|channelType)\}/g, (_, key: string) =>
    encodeURIComponent(values[key] ?? ''),
  );
}
