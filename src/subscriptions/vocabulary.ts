/** The words of the command grammar (DESIGN "Commands in Teams"), in one place. */

/** Channel-type words and the raw klink `room.channel.type` each stands for. */
export const CHANNEL_WORDS: Readonly<Record<string, string>> = {
  whatsapp: 'whatsapp',
  messenger: 'messenger',
  facebook: 'messenger',
  instagram: 'instagram',
  line: 'line',
  viber: 'viber',
  telegram: 'telegram',
  livechat: 'livechat',
  webchat: 'livechat',
  email: 'email',
  sms: 'sms',
  voice: 'voice',
};

export const FLAG_WORDS = ['vip', 'inbound', 'outbound', 'both', 'group', 'direct', 'ai', 'human', 'all'] as const;
export const PREFIXES = ['channel:', 'tag:', 'keyword:', 'room:', 'contact:', 'unread>='] as const;

export const COMMAND_WORDS: Readonly<Record<string, 'subscribe' | 'unsubscribe' | 'list' | 'help'>> = {
  subscribe: 'subscribe',
  sub: 'subscribe',
  unsubscribe: 'unsubscribe',
  unsub: 'unsubscribe',
  subscriptions: 'list',
  list: 'list',
  help: 'help',
};

/** Every filter word a user may type, for did-you-mean suggestions. */
export const FILTER_VOCABULARY: readonly string[] = [...Object.keys(CHANNEL_WORDS), ...FLAG_WORDS, ...PREFIXES];

/** The closest known word within a small edit distance, or null. */
export function suggest(word: string, vocabulary: readonly string[]): string | null {
  const lower = word.toLowerCase();
  const prefix = lower.match(/^[a-z]+(:|>=?|=)/)?.[0];
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of vocabulary) {
    const target = prefix && /[:>=]$/.test(candidate) ? prefix : lower;
    const distance = editDistance(target, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = lower.length <= 4 ? 1 : 2;
  return bestDistance <= allowed ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
