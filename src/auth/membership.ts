/**
 * Whether a tab user may read and change a conversation's klink feed: only a member of it may.
 * Asked of Teams with the bot's own credentials (Bot Connector member lookup by the user's Entra
 * object id): for a channel the team's roster, for a chat the chat's. Answers are kept for a short
 * time so a page that makes several calls costs one lookup; the cache is bounded in size.
 */
import type { Conversation } from '../store/store';

export interface MemberLookup {
  isMember(serviceUrl: string, conversationId: string, memberId: string): Promise<boolean>;
}

/** A user added to (or removed from) a team is seen within this long. */
export const MEMBERSHIP_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class MembershipCheck {
  private readonly answers = new Map<string, { member: boolean; until: number }>();

  constructor(
    private readonly lookup: MemberLookup,
    private readonly now: () => number,
    /** Most answers kept; past it expired ones go first, then the oldest. */
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** True when `userId` (Entra object id) is in the team of the channel, or in the chat. */
  async isMember(conversation: Conversation, userId: string): Promise<boolean> {
    const roster = conversation.type === 'channel' && conversation.teamId !== null ? conversation.teamId : conversation.id;
    const key = `${roster}\n${userId}`;
    const cached = this.answers.get(key);
    if (cached !== undefined && cached.until > this.now()) return cached.member;
    const member = await this.lookup.isMember(conversation.serviceUrl, roster, userId);
    this.answers.delete(key);
    if (this.answers.size >= this.maxEntries) this.evict();
    this.answers.set(key, { member, until: this.now() + MEMBERSHIP_TTL_MS });
    return member;
  }

  /** Drops expired answers, then the oldest if still full (a Map iterates in insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [key, answer] of this.answers) if (answer.until <= now) this.answers.delete(key);
    while (this.answers.size >= this.maxEntries) {
      const oldest = this.answers.keys().next();
      if (oldest.done === true) break;
      this.answers.delete(oldest.value);
    }
  }
}
