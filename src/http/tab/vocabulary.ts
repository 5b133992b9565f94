/** `GET /api/tab/vocabulary`: the words the tab's filter builder offers, the same ones `@klink subscribe` understands. */
import type { Server } from 'restify';
import { channelDisplayName } from '../../cards/channel-names';
import { CHANNEL_WORDS } from '../../subscriptions/vocabulary';
import type { TabDeps } from './deps';
import { userRoute } from './guard';

export function registerVocabularyRoute(server: Server, deps: TabDeps): void {
  // One word per channel type: aliases (facebook, webchat) name a type another word names already.
  const channels = Object.entries(CHANNEL_WORDS)
    .filter(([word, type]) => word === type)
    .map(([word]) => ({ word, label: channelDisplayName(word) }));
  userRoute(server, deps, 'get', '/api/tab/vocabulary', async (_req, res) => {
    res.send(200, { channels, vipTags: [...deps.settings.vipTags], directions: ['inbound', 'outbound', 'both'] });
  });
}
