/**
 * Which of a tenant's klink conversations a user is a member of, for `GET /api/tab/me`: at most
 * MAX_CHECKED conversations (the most recently active), one Bot Connector lookup per team or chat
 * roster (channels of one team share the team's answer, which MembershipCheck caches), at most
 * LOOKUP_CONCURRENCY lookups at once, so one page load stays within Teams' read limits.
 */
import type { TabUser } from '../../auth/tab-token';
import type { NamedConversation } from '../../store/store';
import type { TabDeps } from './deps';

/** Most conversations checked for one `GET /api/tab/me`. */
export const MAX_CHECKED = 50;
/** Most membership lookups in flight at once. */
export const LOOKUP_CONCURRENCY = 4;

export interface MemberConversations {
  members: NamedConversation[];
  /** How many conversations were checked, and whether there were more than MAX_CHECKED. */
  checked: number;
  truncated: boolean;
  /** Rosters whose lookup failed (their conversations are left out). */
  failed: number;
  rosters: number;
}

export async function memberConversations(deps: TabDeps, user: TabUser): Promise<MemberConversations> {
  const found = await deps.store.conversations.listConversations(user.development ? null : user.tenantId, MAX_CHECKED + 1);
  const candidates = found.slice(0, MAX_CHECKED);
  const byRoster = new Map<string, NamedConversation[]>();
  for (const c of candidates) byRoster.set(rosterOf(c), [...(byRoster.get(rosterOf(c)) ?? []), c]);
  const answers = new Map<string, boolean | null>();
  const rosters = [...byRoster.entries()];
  const worker = async (): Promise<void> => {
    for (let next = rosters.shift(); next !== undefined; next = rosters.shift()) {
      const [roster, [first]] = next;
      answers.set(roster, await lookup(deps, user, first));
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, byRoster.size) }, worker));
  return {
    members: candidates.filter((c) => answers.get(rosterOf(c)) === true),
    checked: candidates.length,
    truncated: found.length > MAX_CHECKED,
    failed: [...answers.values()].filter((a) => a === null).length,
    rosters: byRoster.size,
  };
}

/** True or false as Teams says; null when it could not say (logged). */
async function lookup(deps: TabDeps, user: TabUser, conversation: NamedConversation): Promise<boolean | null> {
  if (user.development) return true;
  try {
    return await deps.membership.isMember(conversation, user.userId);
  } catch (err) {
    deps.log.warn({ err, conversationId: conversation.id }, 'tab: membership lookup failed');
    return null;
  }
}

function rosterOf(c: NamedConversation): string {
  return c.type === 'channel' && c.teamId !== null ? c.teamId : c.id;
}
