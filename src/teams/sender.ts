/**
 * The transport seam: delivery posts to Teams through this interface only, so the Bot Framework
 * wire format stays in src/teams/.
 */
import type { Activity } from 'botbuilder';
import type { Conversation } from '../store/store';

export interface PostResult {
  /** The Teams activity id of the new post (the thread root in a channel), when known. */
  activityId: string | null;
}

export interface TeamsSender {
  /** A new post: in a channel a new thread, in a chat a new message. */
  post(conversation: Conversation, activity: Partial<Activity>): Promise<PostResult>;
  /** A reply in the channel thread whose root is `rootActivityId`. */
  reply(conversation: Conversation, rootActivityId: string, activity: Partial<Activity>): Promise<PostResult>;
  /** Replaces a posted card; `rootActivityId` names the thread it is in (channels). */
  update(conversation: Conversation, activityId: string, activity: Partial<Activity>, rootActivityId: string | null): Promise<void>;
}

/** A failed call to Teams, with what the Bot Connector answered. */
export class TeamsSendError extends Error {
  constructor(
    message: string,
    /** HTTP status, or null when no answer came (timeout, connection error). */
    readonly status: number | null,
    /** Teams' error code (`Throttled`, `BotNotInConversationRoster`, …) or the network error code. */
    readonly code: string | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = 'TeamsSendError';
  }
}
