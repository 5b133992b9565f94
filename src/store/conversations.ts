/** Teams conversations the bot is in, their subscriptions, 429 pauses and muted klink rooms. */
import type { Filters } from '../subscriptions/filters';

export type ConversationType = 'channel' | 'groupChat' | 'personal';

/** A Teams conversation the bot is installed in or was spoken to in. */
export interface Conversation {
  /** For channels the channel id (without `;messageid=`), else the conversation id. */
  id: string;
  type: ConversationType;
  tenantId: string;
  serviceUrl: string;
  /** Bot Framework channel id, `msteams`. */
  channelId: string;
  teamId: string | null;
  botId: string;
  botName: string;
  active: boolean;
  removedReason: string | null;
  /** Teams answered 429: no request before this time (epoch ms). */
  pausedUntil: number | null;
}

/** What Teams says about a conversation besides where it is; unknown (null or absent) never erases what is known. */
export interface ConversationLabels {
  /** The channel's or group chat's name. */
  name?: string | null;
  /** The team's name (channels). */
  teamName?: string | null;
  /** Personal conversations: the Entra object id of the user the bot chats with. */
  userAadObjectId?: string | null;
}

export type NewConversation = Omit<Conversation, 'active' | 'removedReason' | 'pausedUntil'> & ConversationLabels;

/** A conversation with the names Teams gave the bot (null when it never said). */
export interface NamedConversation extends Conversation {
  name: string | null;
  teamName: string | null;
}

export interface Subscription {
  id: number;
  conversationId: string;
  /** The Entra tenant of the conversation. */
  tenantId: string;
  /** 1-based position among the conversation's active subscriptions, as users see it. */
  number: number;
  filters: Filters;
  createdBy: string | null;
  createdAt: number;
}

export interface MutedRoom {
  conversationId: string;
  roomId: string;
  until: number;
  /** Who muted it (Entra object id or Teams user id), when known. */
  mutedBy: string | null;
}

export interface ConversationStore {
  upsertConversation(conversation: NewConversation, now: number): Promise<void>;
  getConversation(id: string): Promise<Conversation | null>;
  /** The active personal conversation of this user (Entra object id) in this tenant (case-insensitive), if the bot has one. */
  personalConversationOf(tenantId: string, userAadObjectId: string): Promise<Conversation | null>;
  /**
   * Active channels and group chats, most recently seen first, with their names; `tenantId` null:
   * of every tenant (local mode).
   */
  listConversations(tenantId: string | null, limit: number): Promise<NamedConversation[]>;
  /** Teams renamed a channel or chat the bot knows: keeps the new name (unknown conversations are not added). */
  renameConversation(id: string, name: string): Promise<void>;
  /** Teams renamed a team: every known channel of it keeps the new team name. */
  renameTeam(teamId: string, teamName: string): Promise<void>;
  /** The bot left the conversation: deactivates it and its subscriptions, with the reason. */
  deactivateConversation(id: string, reason: string, now: number): Promise<void>;
  /** The app was removed from a team: deactivates every channel of it; returns how many. */
  deactivateTeam(teamId: string, reason: string, now: number): Promise<number>;
  /** No request to the conversation before `until` (Retry-After); a later pause is never shortened. */
  pauseConversation(id: string, until: number): Promise<void>;

  /** Adds a subscription unless the same filters exist already (then returns the existing one). */
  addSubscription(
    conversationId: string,
    filters: Filters,
    createdBy: string | null,
    now: number,
  ): Promise<{ created: boolean; subscription: Subscription }>;
  listSubscriptions(conversationId: string): Promise<Subscription[]>;
  /** Removes subscriptions by id, recording the reason; returns the removed ones. */
  removeSubscriptions(conversationId: string, ids: number[], reason: string, now: number): Promise<Subscription[]>;
  /** Active subscriptions of active conversations. */
  activeSubscriptions(): Promise<Subscription[]>;

  muteRoom(conversationId: string, roomId: string, until: number, mutedBy: string | null): Promise<void>;
  /** Rooms muted at `now`. */
  mutedRooms(now: number): Promise<MutedRoom[]>;
  /** Rooms of one conversation muted at `now`, the mute ending first first. */
  mutedRoomsOf(conversationId: string, now: number): Promise<MutedRoom[]>;
  /** Ends a room's mute in one conversation; false when it was not muted at `now`. */
  unmuteRoom(conversationId: string, roomId: string, now: number): Promise<boolean>;
}
