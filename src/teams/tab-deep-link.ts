/**
 * A Teams deep link that opens the klink tab in a channel or group chat, in the documented form
 * `https://teams.microsoft.com/l/entity/<appId>/<entityId>?context=<JSON>` (Microsoft Teams
 * platform docs, "Deep link to an application"): `appId` is the app manifest's id (BOT_ID here),
 * `entityId` the id the tab's configuration page saves, and `context` names the channel
 * (`{"channelId"}`) or the chat (`{"chatId","contextType":"chat"}`), URI-encoded.
 */
import type { ConversationType } from '../store/store';

/** The entity id the klink tab's configuration page saves (`pages.config.setConfig`). */
export const TAB_ENTITY_ID = 'klink-feed';

/** The link, or null without an app id (local mode) or for a personal chat. */
export function tabDeepLink(appId: string | null, conversation: { id: string; type: ConversationType }): string | null {
  if (appId === null || appId === '') return null;
  let context: Record<string, string>;
  if (conversation.type === 'channel') context = { channelId: conversation.id };
  else if (conversation.type === 'groupChat') context = { chatId: conversation.id, contextType: 'chat' };
  else return null;
  return `https://teams.microsoft.com/l/entity/${encodeURIComponent(appId)}/${TAB_ENTITY_ID}?context=${encodeURIComponent(JSON.stringify(context))}`;
}
