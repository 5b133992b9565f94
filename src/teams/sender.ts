/**
 * The transport seam: delivery and bot code post to Teams through this interface only,
 * so the Bot Framework SDK stays in one folder.
 */
import type { Conversation } from '../store/store';
import type { AdaptiveCardJson } from '../cards/render';

export interface PostResult {
  /** The Teams activity id of the new post (the thread root in a channel), when known. */
  activityId: string | null;
}

export interface TeamsSender {
  /** Posts a card: a new post (thread) in a channel, or a message in a chat. */
  postCard(conversation: Conversation, card: AdaptiveCardJson, summary: string): Promise<PostResult>;
}

/** A failed call to Teams, with what the Bot Connector answered. */
export class TeamsSendError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = 'TeamsSendError';
  }
}
