/**
 * The command vocabulary the filter builder offers when the server does not publish one yet
 * (`GET /api/tab/vocabulary` answering 404): the bot's own channel words, aliases left out.
 */
import { channelDisplayName } from '../../../src/cards/channel-names';
import { CHANNEL_WORDS } from '../../../src/subscriptions/vocabulary';
import type { Vocabulary } from './api-types';

export const FALLBACK_VOCABULARY: Vocabulary = {
  channels: Object.entries(CHANNEL_WORDS)
    .filter(([word, raw]) => word === raw)
    .map(([word]) => ({ word, label: channelDisplayName(word) })),
  vipTags: ['VIP', 'VVIP'],
  directions: ['inbound', 'outbound', 'both'],
};
