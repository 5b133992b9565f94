/**
 * The gate in front of every tab route: the caller's Teams SSO token, then, for conversation
 * routes, membership of the conversation. A conversation klink is not in and one the caller is
 * not a member of get the same answer (403 `not-a-member`, same text), so the API does not tell
 * strangers where klink is installed. Each answer is counted by route pattern and status; an
 * unexpected failure is logged with an id the user can quote and answered 500 with nothing changed.
 */
import type { Request, Response, Server } from 'restify';
import type { TabUser } from '../../auth/tab-token';
import type { Conversation } from '../../store/store';
import { newCorrelationId } from '../error-answer';
import { type Problem, sendProblem } from '../problem';
import { routeParam } from '../route-param';
import { authenticateTab } from '../tab-auth';
import type { MemberContext, TabDeps } from './deps';

export type UserHandler = (req: Request, res: Response, user: TabUser) => Promise<void>;
export type MemberHandler = (req: Request, res: Response, ctx: MemberContext) => Promise<void>;
type Method = 'get' | 'post' | 'del';

export const CONVERSATION_PATH = '/api/tab/conversations/:conversationId';

/** The same for an unknown conversation and for one the caller is not a member of. */
export const NOT_A_MEMBER: Problem = {
  code: 'not-a-member',
  status: 403,
  title: 'Not a member',
  detail:
    'You are not a member of this team or chat, or klink is not installed in it, so you cannot see or change what klink posts here: ask an owner to add you (or to add the klink app).',
};

/** A route for any signed-in caller. */
export function userRoute(server: Server, deps: TabDeps, method: Method, path: string, handler: UserHandler): void {
  server[method](
    path,
    counted(deps, method, path, async (req, res) => {
      const auth = await authenticateTab(req, deps.tokens, deps.tenants);
      if (!auth.ok) {
        if (auth.cause.problem === 'keys-unavailable') deps.log.warn({ err: auth.cause.cause }, 'tab: Entra signing keys unavailable');
        else deps.log.info({ problem: auth.cause.problem, tenantId: auth.cause.tenantId }, 'tab: token refused');
        return sendProblem(res, auth.problem);
      }
      await handler(req, res, auth.user);
    }),
  );
}

/** A route under /api/tab/conversations/:conversationId, for members of that conversation only. */
export function memberRoute(server: Server, deps: TabDeps, method: Method, subPath: string, handler: MemberHandler): void {
  userRoute(server, deps, method, `${CONVERSATION_PATH}${subPath}`, async (req, res, user) => {
    const admitted = await admit(deps, user, routeParam(req, 'conversationId'));
    if (!admitted.ok) return sendProblem(res, admitted.problem);
    await handler(req, res, { user, conversation: admitted.conversation });
  });
}

/** Logs a change made through the tab: who, where, what (ids and counts only, never message text). */
export function logChange(deps: TabDeps, ctx: MemberContext, change: string, fields: Record<string, unknown> = {}): void {
  deps.log.info({ conversationId: ctx.conversation.id, userId: ctx.user.userId, change, ...fields }, 'tab: change');
}

type Admission = { ok: true; conversation: Conversation } | { ok: false; problem: Problem };

async function admit(deps: TabDeps, user: TabUser, conversationId: string): Promise<Admission> {
  const found = await deps.store.conversations.getConversation(conversationId);
  const conversation = found !== null && found.active ? found : null;
  if (user.development) {
    // Local mode: nothing to hide from the development identity.
    return conversation !== null ? { ok: true, conversation } : { ok: false, problem: NOT_INSTALLED };
  }
  if (conversation === null || user.tenantId !== conversation.tenantId.toLowerCase()) return { ok: false, problem: NOT_A_MEMBER };
  let member: boolean;
  try {
    member = await deps.membership.isMember(conversation, user.userId);
  } catch (err) {
    deps.log.warn({ err, conversationId: conversation.id }, 'tab: membership lookup failed');
    return { ok: false, problem: MEMBERSHIP_UNAVAILABLE };
  }
  if (!member) {
    deps.log.info({ conversationId: conversation.id }, 'tab: caller is not a member; refused');
    return { ok: false, problem: NOT_A_MEMBER };
  }
  return { ok: true, conversation };
}

export const MEMBERSHIP_UNAVAILABLE: Problem = {
  code: 'membership-unavailable',
  status: 503,
  title: 'Membership cannot be checked right now',
  detail: 'Teams did not say whether you are a member of this conversation: try again in a minute.',
  headers: { 'retry-after': '30' },
};

const NOT_INSTALLED: Problem = {
  code: 'conversation-not-found',
  status: 404,
  title: 'klink is not in this conversation',
  detail: 'klink is not installed in this team or chat: add the klink app to it first, then open the tab again.',
};

/** Counts the answer under the route pattern; a failure nobody expected becomes a 500 with an id to quote. */
function counted(deps: TabDeps, method: Method, path: string, run: (req: Request, res: Response) => Promise<void>) {
  const route = `${method === 'del' ? 'DELETE' : method.toUpperCase()} ${path}`;
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await run(req, res);
    } catch (err) {
      const correlationId = newCorrelationId();
      deps.log.error({ err, correlationId, route }, 'tab request failed');
      if (!res.headersSent) {
        sendProblem(res, {
          code: 'internal',
          status: 500,
          title: 'Something went wrong on our side',
          detail: `Nothing was changed. Try again; if it keeps failing, give the operator this id: ${correlationId}.`,
          extra: { correlationId },
        });
      }
    } finally {
      deps.metrics.tabRequests.inc({ route, status: String(res.statusCode) });
    }
  };
}
