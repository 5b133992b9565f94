/**
 * `POST /api/tab/conversations/:cid/filters/check`: what a subscription with these filter words
 * would be, without saving it: the command as typed in this conversation, the plain sentence, an
 * existing subscription with the same filters, and the card the bot would post for a made-up
 * message these filters match (the bot's own message-card builder). Always 200 for filter text.
 */
import type { Server } from 'restify';
import { parseFilterText } from '../../bot/commands/parse';
import { buildMessageCard } from '../../cards/message-card';
import { sampleMessage } from '../../cards/sample-message';
import { typedCommand } from '../../cards/typed-command';
import { roomUrl } from '../../klink/room-url';
import { describeFilters } from '../../subscriptions/describe';
import { filtersKey } from '../../subscriptions/filters';
import { formatFilters } from '../../subscriptions/format';
import { isVip } from '../../subscriptions/match';
import { sendProblem } from '../problem';
import type { TabDeps } from './deps';
import { SEND_FILTERS_AS_TEXT, readFilterBody } from './filter-body';
import { memberRoute } from './guard';

const SAMPLE_NOTICE = 'Sample: a made-up message, to show how klink posts the messages these filters match.';

export function registerFiltersCheckRoute(server: Server, deps: TabDeps): void {
  memberRoute(server, deps, 'post', '/filters/check', async (req, res, { conversation }) => {
    const body = await readFilterBody(req);
    if (!body.ok) return sendProblem(res, body.problem);
    if (body.text === null) {
      res.send(200, { ok: false, problems: [{ problem: SEND_FILTERS_AS_TEXT, suggestion: null }] });
      return;
    }
    const parsed = parseFilterText(body.text, conversation.type);
    if (!parsed.ok) {
      res.send(200, { ok: false, problems: parsed.problems.map((p) => ({ problem: p.problem, suggestion: p.suggestion ?? null })) });
      return;
    }
    const { filters } = parsed;
    const words = formatFilters(filters);
    const key = filtersKey(filters);
    const existing = (await deps.store.conversations.listSubscriptions(conversation.id)).find((s) => filtersKey(s.filters) === key);
    const now = deps.now();
    const { message, contact } = sampleMessage(filters, deps.settings.vipTags, now);
    const card = buildMessageCard({
      message,
      contact,
      vip: isVip(contact, deps.settings.vipTags),
      roomUrl: roomUrl(deps.settings.roomUrlTemplate, message),
      now: new Date(now),
      notice: [SAMPLE_NOTICE],
    });
    res.send(200, {
      ok: true,
      command: typedCommand(`subscribe ${words}`, conversation.type),
      filters: words,
      description: describeFilters(filters, [...deps.settings.vipTags]),
      duplicateOf: existing?.number ?? null,
      preview: { card },
    });
  });
}
