/** Activities shaped like the ones Teams sends a bot (see TEAMS-FACTS "Conversations, threads, commands"). */

export const TENANT = '72f988bf-0000-0000-0000-000000000001';
export const TEAM = '19:team-general@thread.tacv2';
export const BOT = { id: '28:klink-bot', name: 'klink' };
export const USER = { id: '29:user-1', name: 'Mia Agent', aadObjectId: 'aad-user-1' };

let seq = 0;

export interface Where {
  serviceUrl: string;
  /** Channel id; defaults to the team's General channel (whose id equals the team id). */
  channelId?: string;
  tenantId?: string;
}

function channelConversation(where: Where, messageId?: string) {
  const channel = where.channelId ?? TEAM;
  return {
    conversation: {
      id: messageId ? `${channel};messageid=${messageId}` : channel,
      conversationType: 'channel',
      isGroup: true,
      tenantId: where.tenantId ?? TENANT,
    },
    channelData: {
      team: { id: TEAM, name: 'Support' },
      channel: { id: channel, name: channel === TEAM ? 'General' : 'VIP desk' },
      tenant: { id: where.tenantId ?? TENANT },
    },
  };
}

/** `@klink <command>` posted as a new message in a channel. */
export function channelCommand(where: Where, command: string) {
  seq += 1;
  const id = `${1_800_000_000_000 + seq}`;
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    timestamp: new Date().toISOString(),
    from: USER,
    recipient: BOT,
    text: `<at>${BOT.name}</at> ${command}`,
    textFormat: 'plain',
    entities: [{ type: 'mention', mentioned: BOT, text: `<at>${BOT.name}</at>` }],
    ...channelConversation(where, id),
  };
}

/** A command typed in the bot's personal chat (no mention needed). */
export function personalCommand(where: Where, command: string, chatId = 'a:personal-chat-1') {
  seq += 1;
  return {
    type: 'message',
    id: `p-${seq}`,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: USER,
    recipient: BOT,
    text: command,
    conversation: { id: chatId, conversationType: 'personal', tenantId: where.tenantId ?? TENANT },
    channelData: { tenant: { id: where.tenantId ?? TENANT } },
  };
}

/** The app was installed in (add) or removed from (remove) a team. */
export function installationUpdate(where: Where, action: 'add' | 'remove') {
  seq += 1;
  return {
    type: 'installationUpdate',
    action,
    id: `i-${seq}`,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: USER,
    recipient: BOT,
    ...channelConversation(where),
  };
}

/** The bot was added to / removed from a team (conversationUpdate). */
export function membersUpdate(where: Where, change: 'membersAdded' | 'membersRemoved') {
  seq += 1;
  return {
    type: 'conversationUpdate',
    id: `c-${seq}`,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: USER,
    recipient: BOT,
    [change]: [{ id: BOT.id }],
    ...channelConversation(where),
  };
}
