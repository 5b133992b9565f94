/**
 * The klink tab's API, `/api/tab/conversations/:conversationId/subscriptions`: list, add (filter
 * words parsed exactly as `@klink subscribe` parses them) and remove a conversation's
 * subscriptions, through the same store methods the commands use, so a change made in the tab
 * shows in `@klink subscriptions` at once and the reverse. Every call needs a Teams SSO token of
 * a member of the conversation (src/http/tab-auth.ts, src/auth/membership.ts); failures are
 * problem+json.
 */
import type { Request, Response, Server } from 'restify';
import type { MembershipCheck } from '../auth/membership';
import type { TabUser } from '../auth/tab-token';
import type { TenantPolicy } from '../auth/tenant-policy';
import { parseFilterText } from '../bot/commands/parse';
import type { Logger } from '../log';
import type { Conversation, ConversationStore, Subscription } from '../store/conversations';
import { describeFilters } from '../subscriptions/describe';
import { formatFilters } from '../subscriptions/format';
import { newCorrelationId } from './error-answer';
import { type Problem, sendProblem } from './problem';
import { type TabTokens, authenticateTab } from './tab-auth';
import { readJsonBody } from './read-json-body';
import { routeParam } from './route-param';

export interface TabRouteDeps {
  conversations: ConversationStore;
  /** Null in local mode: every caller is the development identity. */
  tokens: TabTokens | null;
  tenants: Pick<TenantPolicy, 'consentUrl'>;
  membership: MembershipCheck;
  vipTags: readonly string[];
  log: Logger;
  now: () => number;
}

const BASE = '/api/tab/conversations/:conversationId/subscriptions';
const MAX_BODY_BYTES = 16 * 1024;

type Handler = (req: Request, res: Response, ctx: { user: TabUser; conversation: Conversation }) => Promise<void>;

export function registerTabRoutes(server: Server, deps: TabRouteDeps): void {
  server.get(BASE, guarded(deps, listSubscriptions(deps)));
  server.post(BASE, guarded(deps, addSubscription(deps)));
  server.del(`${BASE}/:id`, guarded(deps, removeSubscription(deps)));
}

function listSubscriptions(deps: TabRouteDeps): Handler {
  return async (_req, res, { conversation }) => {
    const items = await deps.conversations.listSubscriptions(conversation.id);
    res.send(200, { conversationId: conversation.id, subscriptions: items.map((s) => view(s, deps)) });
  };
}

function addSubscription(deps: TabRouteDeps): Handler {
  return async (req, res, { user, conversation }) => {
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    if (!body.ok) return sendProblem(res, body.problem);
    const text = (body.value as { filters?: unknown } | null)?.filters;
    if (typeof text !== 'string' || text.trim() === '') {
      return sendProblem(res, badFilters(['Send the filters as text, e.g. {"filters": "whatsapp vip"}.']));
    }
    const parsed = parseFilterText(text, conversation.type);
    if (!parsed.ok) {
      return sendProblem(res, badFilters(parsed.problems.map((p) => (p.suggestion ? `${p.problem} ${p.suggestion}` : p.problem))));
    }
    const { created, subscription } = await deps.conversations.addSubscription(conversation.id, parsed.filters, user.userId, deps.now());
    deps.log.info({ conversationId: conversation.id, subscriptionId: subscription.id, created }, 'tab: subscription added');
    res.send(created ? 201 : 200, { created, subscription: view(subscription, deps) });
  };
}

function removeSubscription(deps: TabRouteDeps): Handler {
  return async (req, res, { user, conversation }) => {
    const id = Number(routeParam(req, 'id'));
    const current = await deps.conversations.listSubscriptions(conversation.id);
    const target = Number.isSafeInteger(id) ? current.find((s) => s.id === id) : undefined;
    if (target === undefined) {
      return sendProblem(res, {
        code: 'subscription-not-found',
        status: 404,
        title: 'No such subscription',
        detail: 'This conversation has no such subscription (it may have been removed already): reload the list.',
      });
    }
    const [removed] = await deps.conversations.removeSubscriptions(
      conversation.id,
      [target.id],
      `removed in the klink tab by ${user.userId}`,
      deps.now(),
    );
    deps.log.info({ conversationId: conversation.id, subscriptionId: target.id }, 'tab: subscription removed');
    res.send(200, { removed: view(removed ?? target, deps) });
  };
}

/** Authentication, then the conversation, then membership; only then the handler. Failures are problem+json. */
function guarded(deps: TabRouteDeps, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const auth = await authenticateTab(req, deps.tokens, deps.tenants);
      if (!auth.ok) {
        if (auth.cause.problem === 'keys-unavailable') deps.log.warn({ err: auth.cause.cause }, 'tab: Entra signing keys unavailable');
        else deps.log.info({ problem: auth.cause.problem, tenantId: auth.cause.tenantId }, 'tab: token refused');
        return sendProblem(res, auth.problem);
      }
      const conversation = await deps.conversations.getConversation(routeParam(req, 'conversationId'));
      if (conversation === null || !conversation.active) {
        return sendProblem(res, {
          code: 'conversation-not-found',
          status: 404,
          title: 'klink is not in this conversation',
          detail: 'klink is not installed in this team or chat: add the klink app to it first, then open the tab again.',
        });
      }
      const denied = await checkMember(deps, auth.user, conversation);
      if (denied !== null) return sendProblem(res, denied);
      await handler(req, res, { user: auth.user, conversation });
    } catch (err) {
      const correlationId = newCorrelationId();
      deps.log.error({ err, correlationId, route: req.getRoute()?.path }, 'tab request failed');
      if (!res.headersSent) {
        sendProblem(res, {
          code: 'internal',
          status: 500,
          title: 'Something went wrong on our side',
          detail: `Nothing was changed. Try again; if it keeps failing, give the operator this id: ${correlationId}.`,
          extra: { correlationId },
        });
      }
    }
  };
}

/** Null when the user may act on the conversation; else the problem (403, or 503 when Teams cannot say). */
async function checkMember(deps: TabRouteDeps, user: TabUser, conversation: Conversation): Promise<Problem | null> {
  if (user.development) return null;
  const notMember: Problem = {
    code: 'not-a-member',
    status: 403,
    title: 'Not a member',
    detail: `You are not a member of this ${conversation.type === 'channel' ? 'team' : 'chat'}, so you cannot see or change what klink posts here: ask an owner to add you.`,
  };
  if (user.tenantId !== conversation.tenantId.toLowerCase()) return notMember;
  let member: boolean;
  try {
    member = await deps.membership.isMember(conversation, user.userId);
  } catch (err) {
    deps.log.warn({ err, conversationId: conversation.id }, 'tab: membership lookup failed');
    return {
      code: 'membership-unavailable',
      status: 503,
      title: 'Membership cannot be checked right now',
      detail: 'Teams did not say whether you are a member of this conversation: try again in a minute.',
      headers: { 'retry-after': '30' },
    };
  }
  if (!member) deps.log.info({ conversationId: conversation.id }, 'tab: caller is not a member; refused');
  return member ? null : notMember;
}

function view(s: Subscription, deps: TabRouteDeps) {
  return {
    id: s.id,
    number: s.number,
    command: formatFilters(s.filters),
    description: describeFilters(s.filters, [...deps.vipTags]),
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

function badFilters(problems: string[]): Problem {
  return {
    code: 'invalid-filters',
    status: 400,
    title: 'These filters are not valid',
    detail: `Nothing was subscribed: ${problems.join(' ')}`,
    extra: { problems },
  };
}
