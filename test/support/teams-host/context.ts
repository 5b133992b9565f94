/**
 * The Teams context the test host hands a tab: what the test says (who, where, which frame, which
 * theme) turned into the legacy context object the `getContext` answer carries. teams-js 2.58's
 * `transformLegacyContextToAppContext` maps it to `app.getContext()`'s shape: `channelId` →
 * `channel.id`, `chatId` → `chat.id`, `teamId` → `team.internalId`, `groupId` → `team.groupId`,
 * `userObjectId` → `user.id`, `tid` → `user.tenant.id`, `theme` → `app.theme`, `frameContext` →
 * `page.frameContext`, `entityId` → `page.id`.
 */

/** Where a tab page runs: `settings` is the configuration page, `content` the tab itself. */
export type FrameContext = 'content' | 'settings' | 'remove' | 'task' | 'sidePanel' | 'stage' | 'meetingStage';

/** Teams' themes as `app.getContext().app.theme` and `themeChange` name them. */
export type TeamsTheme = 'default' | 'dark' | 'contrast';

export interface TeamsHostContext {
  /** Default `content`. */
  frameContext?: FrameContext;
  /** Default `default` (light). */
  theme?: TeamsTheme;
  /** Default `en-us`. */
  locale?: string;
  /** Default a test user in a test tenant. */
  user?: { id: string; tenantId: string; userPrincipalName?: string; displayName?: string };
  /** A channel tab's team: `internalId` is the team's thread id (19:…@thread.tacv2), `groupId` its Entra group. */
  team?: { internalId: string; groupId: string; name?: string };
  /** A channel tab's channel (`id` 19:…@thread.tacv2). */
  channel?: { id: string; name?: string; type?: 'Regular' | 'Private' | 'Shared' };
  /** A group-chat or meeting tab's chat (`id` 19:…@thread.v2). */
  chat?: { id: string };
  /** The configured tab's entityId and sub-page, for a content page. */
  page?: { id?: string; subPageId?: string };
}

export const DEFAULT_USER = {
  id: '6f2b6f4e-1d6c-4c3e-9a55-00000000a11c',
  tenantId: '0d9f8a4b-7c1e-4b52-8f3a-0000000071e7',
  userPrincipalName: 'alice@contoso.example',
  displayName: 'Alice',
};

/** The legacy context object of the `getContext` answer, as the Teams web client sends it. */
export function legacyContext(context: TeamsHostContext, sessionId: string): Record<string, unknown> {
  const user = context.user ?? DEFAULT_USER;
  return {
    frameContext: context.frameContext ?? 'content',
    theme: context.theme ?? 'default',
    locale: context.locale ?? 'en-us',
    hostClientType: 'web',
    hostName: 'Teams',
    appSessionId: sessionId,
    sessionId,
    userObjectId: user.id,
    tid: user.tenantId,
    userPrincipalName: user.userPrincipalName,
    loginHint: user.userPrincipalName,
    userDisplayName: user.displayName,
    teamId: context.team?.internalId,
    groupId: context.team?.groupId,
    teamName: context.team?.name,
    channelId: context.channel?.id,
    channelName: context.channel?.name,
    channelType: context.channel ? (context.channel.type ?? 'Regular') : undefined,
    chatId: context.chat?.id,
    entityId: context.page?.id,
    subEntityId: context.page?.subPageId,
  };
}
