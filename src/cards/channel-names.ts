/** Friendly names of klink channel types, shared by message cards and subscription descriptions. */

const CHANNEL_NAMES: Readonly<Record<string, string>> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  facebook: 'Messenger',
  instagram: 'Instagram',
  line: 'LINE',
  viber: 'Viber',
  telegram: 'Telegram',
  livechat: 'Live chat',
  webchat: 'Live chat',
  email: 'Email',
  sms: 'SMS',
  voice: 'Voice',
  // readMessage's value when klink sent no channel type.
  unknown: 'Unknown channel',
};

/** The friendly name of a raw channel type; unknown types keep their raw name. */
export function channelDisplayName(channelType: string): string {
  const raw = channelType.trim();
  const key = raw.toLowerCase() || 'unknown';
  return Object.hasOwn(CHANNEL_NAMES, key) ? CHANNEL_NAMES[key] : raw;
}
