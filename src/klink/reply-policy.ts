/**
 * Whether Teams users may answer a klink connection's customers from cards: an operator's choice.
 * Off unless the connection has an API token and replies are turned on — by KLINK_REPLY=on, or
 * by the connection's own setting; a connection's `off` wins over KLINK_REPLY=on.
 */
import type { ConnectionAccess } from './api-source';

export interface ReplyPolicy {
  /** True when replies to this connection's customers may be sent from cards. */
  repliesOn(connectionId: string): Promise<boolean>;
}

export function replyPolicy(access: ConnectionAccess, config: { klinkReply: 'on' | 'off' }): ReplyPolicy {
  return {
    async repliesOn(connectionId) {
      if ((await access.forConnection(connectionId)) === null) return false;
      return ((await access.replySetting(connectionId)) ?? config.klinkReply) === 'on';
    },
  };
}
