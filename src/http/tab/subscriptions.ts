/**
 * `/api/tab/conversations/:cid/subscriptions`: list, add (filter words parsed exactly as
 * `@klink subscribe` parses them) and remove, through the store methods the commands use, so a
 * change in the tab shows in `@klink subscriptions` at once and the reverse.
 */
import type { Server } from 'restify';
import { parseFilterText } from '../../bot/commands/parse';
import { type Problem, sendProblem } from '../problem';
import { routeParam } from '../route-param';
import type { TabDeps } from './deps';
import { SEND_FILTERS_AS_TEXT, readFilterBody } from './filter-body';
import { logChange, memberRoute } from './guard';
import { subscriptionView } from './subscription-view';

export function registerSubscriptionRoutes(server: Server, deps: TabDeps): void {
  const view = (s: Parameters<typeof subscriptionView>[0]) => subscriptionView(s, deps.settings.vipTags);

  memberRoute(server, deps, 'get', '/subscriptions', async (_req, res, { conversation }) => {
    const items = await deps.store.conversations.listSubscriptions(conversation.id);
    res.send(200, { conversationId: conversation.id, subscriptions: items.map(view) });
  });

  memberRoute(server, deps, 'post', '/subscriptions', async (req, res, ctx) => {
    const body = await readFilterBody(req);
    if (!body.ok) return sendProblem(res, body.problem);
    if (body.text === null || body.text.trim() === '') return sendProblem(res, badFilters([SEND_FILTERS_AS_TEXT]));
    const parsed = parseFilterText(body.text, ctx.conversation.type);
    if (!parsed.ok) {
      return sendProblem(res, badFilters(parsed.problems.map((p) => (p.suggestion ? `${p.problem} ${p.suggestion}` : p.problem))));
    }
    const { created, subscription } = await deps.store.conversations.addSubscription(
      ctx.conversation.id,
      parsed.filters,
      ctx.user.userId,
      deps.now(),
    );
    logChange(deps, ctx, 'subscription added', { subscriptionId: subscription.id, created });
    res.send(created ? 201 : 200, { created, subscription: view(subscription) });
  });

  memberRoute(server, deps, 'del', '/subscriptions/:id', async (req, res, ctx) => {
    const id = Number(routeParam(req, 'id'));
    const current = await deps.store.conversations.listSubscriptions(ctx.conversation.id);
    const target = Number.isSafeInteger(id) ? current.find((s) => s.id === id) : undefined;
    if (target === undefined) {
      return sendProblem(res, {
        code: 'subscription-not-found',
        status: 404,
        title: 'No such subscription',
        detail: 'This conversation has no such subscription (it may have been removed already): reload the list.',
      });
    }
    const [removed] = await deps.store.conversations.removeSubscriptions(
      ctx.conversation.id,
      [target.id],
      `removed in the klink tab by ${ctx.user.userId}`,
      deps.now(),
    );
    logChange(deps, ctx, 'subscription removed', { subscriptionId: target.id });
    res.send(200, { removed: view(removed ?? target) });
  });
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
