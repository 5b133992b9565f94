/**
 * `GET /api/tab/me`: the signed-in user, their personal chat with klink and its subscriptions
 * (found by the Entra object id the bot recorded from that chat), and the channels and group chats
 * of their tenant where klink is installed and they are a member, each with a deep link to the
 * klink tab there. At most MAX_CHECKED conversations are checked; `limits` says so.
 */
import type { Server } from 'restify';
import { tabDeepLink } from '../../teams/tab-deep-link';
import { sendProblem } from '../problem';
import type { TabDeps } from './deps';
import { MEMBERSHIP_UNAVAILABLE, userRoute } from './guard';
import { MAX_CHECKED, memberConversations } from './member-conversations';
import { subscriptionView } from './subscription-view';

export function registerMeRoute(server: Server, deps: TabDeps): void {
  userRoute(server, deps, 'get', '/api/tab/me', async (_req, res, user) => {
    const found = await memberConversations(deps, user);
    if (found.rosters > 0 && found.failed === found.rosters) return sendProblem(res, MEMBERSHIP_UNAVAILABLE);
    const personal = user.tenantId === null ? null : await deps.store.conversations.personalConversationOf(user.tenantId, user.userId);
    const personalSubscriptions = personal === null ? [] : await deps.store.conversations.listSubscriptions(personal.id);
    const conversations = await Promise.all(
      found.members.map(async (c) => ({
        id: c.id,
        type: c.type,
        teamId: c.teamId,
        name: c.name,
        teamName: c.teamName,
        subscriptions: (await deps.store.conversations.listSubscriptions(c.id)).length,
        tabUrl: tabDeepLink(deps.appId, c),
      })),
    );
    res.send(200, {
      user: { id: user.userId, tenantId: user.tenantId, name: user.name, development: user.development },
      personal: {
        conversationId: personal?.id ?? null,
        subscriptions: personalSubscriptions.map((s) => subscriptionView(s, deps.settings.vipTags)),
      },
      conversations,
      limits: { checked: found.checked, maxChecked: MAX_CHECKED, truncated: found.truncated, unanswered: found.failed },
    });
  });
}
