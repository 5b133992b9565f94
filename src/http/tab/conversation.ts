/** `GET /api/tab/conversations/:cid`: what the tab's header shows: the conversation, how commands are typed there, and counts. */
import type { Server } from 'restify';
import { typedCommand } from '../../cards/typed-command';
import type { TabDeps } from './deps';
import { memberRoute } from './guard';

export function registerConversationRoute(server: Server, deps: TabDeps): void {
  memberRoute(server, deps, 'get', '', async (_req, res, { conversation }) => {
    const [subscriptions, mutedRooms, deliveries] = await Promise.all([
      deps.store.conversations.listSubscriptions(conversation.id),
      deps.store.conversations.mutedRoomsOf(conversation.id, deps.now()),
      deps.store.deliveries.deliveryCounts(conversation.id),
    ]);
    res.send(200, {
      conversation: { id: conversation.id, type: conversation.type, teamId: conversation.teamId, tenantId: conversation.tenantId },
      commandPrefix: typedCommand('', conversation.type),
      counts: { subscriptions: subscriptions.length, mutedRooms: mutedRooms.length, pending: deliveries.pending, dead: deliveries.dead },
    });
  });
}
