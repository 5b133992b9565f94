/** The shapes of the tab API's answers (docs/tab-api.md), as the pages read them. */

export interface Subscription {
  id: number;
  number: number;
  /** The filter words as typed after `subscribe`. */
  command: string;
  /** The plain sentence the bot's cards use. */
  description: string;
  createdAt: string;
}

export interface SubscriptionList {
  conversationId: string;
  subscriptions: Subscription[];
}

export interface AddAnswer {
  created: boolean;
  subscription: Subscription;
}

export interface Vocabulary {
  channels: { word: string; label: string }[];
  vipTags: string[];
  directions: string[];
}

export interface FilterProblem {
  problem: string;
  suggestion: string | null;
}

export type FilterCheck =
  | { ok: true; command: string; filters: string; description: string; duplicateOf: number | null; preview: { card: object } }
  | { ok: false; problems: FilterProblem[] };

export interface MutedRoom {
  roomId: string;
  until: string;
  mutedBy: string | null;
  roomUrl: string | null;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface Delivery {
  id: number;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  via: 'post' | 'reply' | 'digest' | null;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  event: {
    id: string;
    kind: 'message.inbound' | 'message.outbound';
    channelType: string;
    roomId: string;
    contactName: string | null;
    at: string;
  };
}

export interface ConversationSummary {
  id: string;
  type: 'channel' | 'groupChat';
  teamId: string | null;
  name: string | null;
  teamName: string | null;
  subscriptions: number;
  tabUrl: string | null;
}

export interface Me {
  user: { id: string; tenantId: string | null; name: string | null; development: boolean };
  personal: { conversationId: string | null; subscriptions: Subscription[] };
  conversations: ConversationSummary[];
  /** How far klink looked: at most `maxChecked` conversations; `truncated` when there were more. */
  limits?: { checked: number; maxChecked: number; truncated: boolean; unanswered: number };
}
