/**
 * The HTTP side: klink webhooks, Bot Framework activities (the bot), admin consent, health and
 * metrics. Delivery is not here: it runs in its own thread or process (src/app.ts).
 */
import { randomInt } from 'node:crypto';
import type { ConfigurationBotFrameworkAuthenticationOptions, TurnContext } from 'botbuilder';
import type restify from 'restify';
import { MembershipCheck } from './auth/membership';
import { TabTokenValidator } from './auth/tab-token';
import { TenantPolicy } from './auth/tenant-policy';
import { KlinkBot } from './bot/klink-bot';
import { ReplyPacing } from './bot/reply-pacing';
import type { Config, WebhookAuth } from './config';
import { registerConsentRoutes } from './http/consent-routes';
import type { HealthDeps } from './http/health-routes';
import { createServer } from './http/server';
import { DEVELOPMENT_USER } from './http/tab-auth';
import { tabFrameAncestors } from './http/tab-csp';
import { DEFAULT_TAB_DIR } from './http/tab-dir';
import { registerTabFiles } from './http/tab-files';
import { registerTabRoutes } from './http/tab/register';
import { klinkApiSourceFromConfig } from './klink/api-source';
import { Connections } from './klink/connections';
import { replyPolicy } from './klink/reply-policy';
import { ensureLocalWebhookSecret } from './klink/local-secret';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import type { Store } from './store/store';
import { BotAdapter } from './teams/bot-adapter';
import { BotAuthentication } from './teams/bot-authentication';
import { BotConnectorClient } from './teams/connector-client';
import { createTokenSource } from './teams/token-source';

export interface WebOptions {
  botFrameworkAuthentication?: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
  now?: () => number;
  /** Tests only: a fake Bot Connector on plain http with authentication on (see AppOptions). */
  allowHttpServiceUrls?: boolean;
  /** Tests only: Entra's host for tab tokens' OpenID metadata and keys (default https://login.microsoftonline.com). */
  tabAuthorityHost?: string;
  /** The built klink tab (pages and assets) served at /tab/; default `<project>/dist/tab`. */
  tabDir?: string;
  /** Tests only: the tab pages' frame-ancestors sources instead of Microsoft's hosts (plus loopback in local mode). */
  tabFrameAncestors?: readonly string[];
}

/** Longest a membership lookup may take (the bot token included). */
const MEMBER_LOOKUP_TIMEOUT_MS = 10_000;

export function createWebServer(
  config: Readonly<Config>,
  log: Logger,
  store: Store,
  metrics: Metrics,
  health: HealthDeps,
  options: WebOptions = {},
): restify.Server {
  const now = options.now ?? Date.now;
  const connections = new Connections(store, config, resolveWebhookAuth(config, log));

  // Local mode: no app id, so botbuilder neither checks incoming tokens nor sends any.
  const auth = new BotAuthentication(
    config.localMode
      ? {}
      : {
          ...botFrameworkSettings(config),
          ...options.botFrameworkAuthentication,
        },
  );
  const adapter = new BotAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, err: Error) => {
    const errorId = `err-${now().toString(36)}-${randomInt(1_000_000).toString(36)}`;
    log.error({ err, errorId, conversationId: context.activity.conversation?.id }, 'turn failed');
    await context.sendActivity(`Something went wrong on my side (error id ${errorId}); nothing was changed. Please try again.`);
  };
  // The bot's answers within a turn count against the same Teams limits as delivery.
  adapter.use(new ReplyPacing({ store, now, log }));

  const settings = { vipTags: config.vipTags, roomUrlTemplate: config.roomUrlTemplate };
  const tenants = new TenantPolicy(config, store);
  const allowHttpServiceUrls = config.localMode || options.allowHttpServiceUrls === true;
  // Membership is asked of Teams with the bot's own token, like delivery's calls (tab API and replies).
  const connector = new BotConnectorClient({
    tokens: createTokenSource(config),
    timeoutMs: MEMBER_LOOKUP_TIMEOUT_MS,
    allowHttp: allowHttpServiceUrls,
  });
  const membership = new MembershipCheck(connector, now);
  const klinkApi = klinkApiSourceFromConfig(config, log, { connections: store.tenants });
  const bot = new KlinkBot({
    store,
    log,
    vipTags: config.vipTags,
    settings,
    now,
    tenants,
    replies: { klinkApi, policy: replyPolicy(klinkApi, config), membership: config.localMode ? null : membership },
  });
  const server = createServer({
    log,
    adapter,
    bot,
    connections,
    health,
    allowHttpServiceUrls,
    webhook: { store, log, now, metrics },
    requestTimeoutMs: config.httpRequestTimeoutMs,
    now,
  });
  registerConsentRoutes(server, { store: store.tenants, log, now, config });

  server.on('close', () => connector.close());
  let tokens: TabTokenValidator | null = null;
  if (config.localMode || config.bot.id === null || config.publicUrl === null) {
    // Said loudly once at start by src/index.ts (the LOCAL MODE warning); here for the record.
    log.info(
      { userId: DEVELOPMENT_USER.userId },
      'local mode: the tab API treats every caller as this development identity (no sign-in, no membership check)',
    );
  } else {
    tokens = new TabTokenValidator({
      botId: config.bot.id,
      publicUrl: config.publicUrl,
      tenants,
      now,
      authorityHost: options.tabAuthorityHost,
    });
  }
  registerTabRoutes(server, {
    store,
    tokens,
    tenants,
    membership,
    settings,
    appId: config.localMode ? null : config.bot.id,
    metrics,
    log,
    now,
  });
  registerTabFiles(server, {
    dir: options.tabDir ?? DEFAULT_TAB_DIR,
    frameAncestors: options.tabFrameAncestors ?? tabFrameAncestors(config.localMode),
  });
  return server;
}

/** botbuilder's settings for the bot's identity (names as botbuilder reads them). */
export function botFrameworkSettings(config: Readonly<Config>): ConfigurationBotFrameworkAuthenticationOptions {
  return {
    MicrosoftAppId: config.bot.id ?? undefined,
    MicrosoftAppPassword: config.bot.password ?? undefined,
    MicrosoftAppTenantId: config.bot.tenantId ?? undefined,
    MicrosoftAppType: config.bot.type,
    CertificateThumbprint: config.bot.certificate?.thumbprint,
    CertificatePrivateKey: config.bot.certificate?.privateKey,
  };
}

/** In local mode without a configured secret, a generated one is used (and said so once). */
function resolveWebhookAuth(config: Readonly<Config>, log: Logger): WebhookAuth {
  if (!config.generateWebhookSecret) return config.webhook;
  const local = ensureLocalWebhookSecret(config.dataDir);
  log.warn(
    { file: local.file, created: local.created },
    'no KLINK_WEBHOOK_SECRET configured: using the local signing secret in this file (npm run send-sample signs with it)',
  );
  return { mode: 'signature', secrets: [local.secret] };
}
