/**
 * `/api/tab/conversations/:cid/muted-rooms`: the klink rooms muted in this conversation (with
 * "Mute this room" on a card), each with its link to klink, and ending a mute early.
 */
import type { Server } from 'restify';
import { roomIdUrl } from '../../klink/room-url';
import { sendProblem } from '../problem';
import { routeParam } from '../route-param';
import type { TabDeps } from './deps';
import { logChange, memberRoute } from './guard';

export function registerMutedRoomRoutes(server: Server, deps: TabDeps): void {
  memberRoute(server, deps, 'get', '/muted-rooms', async (_req, res, { conversation }) => {
    const muted = await deps.store.conversations.mutedRoomsOf(conversation.id, deps.now());
    res.send(200, {
      mutedRooms: muted.map((m) => ({
        roomId: m.roomId,
        until: new Date(m.until).toISOString(),
        mutedBy: m.mutedBy,
        roomUrl: roomIdUrl(deps.settings.roomUrlTemplate, m.roomId),
      })),
    });
  });

  memberRoute(server, deps, 'del', '/muted-rooms/:roomId', async (req, res, ctx) => {
    const roomId = routeParam(req, 'roomId');
    if (!(await deps.store.conversations.unmuteRoom(ctx.conversation.id, roomId, deps.now()))) {
      return sendProblem(res, {
        code: 'room-not-muted',
        status: 404,
        title: 'This room is not muted',
        detail: 'This klink room is not muted here (its mute may have ended or been lifted already): reload the list.',
      });
    }
    logChange(deps, ctx, 'room unmuted', { roomId });
    res.send(200, { unmuted: { roomId } });
  });
}
