/** Builds the whole application from a configuration: store, bot, delivery worker and HTTP server. */
import { randomInt } from 'node:crypto';
import {
  CloudAdapter, type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext,
} from 'botbuilder';
import type restify from 'restify';
import { TenantPolicy } from './auth/tenant-policy';
import { KlinkBot } from './bot/klink-bot';
import { ReplyPacing } from './bot/reply-pacing';
import type { Config, WebhookAuth } from './config';
import { DeliveryWorker } from './delivery/delivery-worker';
import { registerConsentRoutes } from './http/consent-routes';
import { createServer } from './http/server';
import { Connections } from './klink/connections';
import { ensureLocalWebhookSecret } from './klink/local-secret';
import type { Logger } from './log';
import { type Metrics, createMetrics } from './metrics';
import { openSqliteStore } from './store/sqlite/sqlite-store';
import type { Store } from './store/store';
import { BotAuthentication } from './teams/bot-authentication';
import { BotConnectorClient } from './teams/connector-client';
import { ConnectorSender } from './teams/connector-sender';
import { createTokenSource } from './teams/token-source';

export interface App {
  server: restify.Server;
  metrics: Metrics;
  store: Store;
  worker: DeliveryWorker;
  /** Listens on `port` (0 = any free port) and starts delivering; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** A request to Teams that takes longer than this is abandoned and retried. */
const TEAMS_TIMEOUT_MS = 15_000;
/** On shutdown, in-flight deliveries get this long to finish. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface AppOptions {
  /**
   * Extra botbuilder authentication settings. Tests use this to trust a local OpenID/JWKS server;
   * production leaves it unset. Once any of botbuilder's channel settings is given it uses no
   * public-cloud defaults, so give the whole set (see test/support/fake-openid.ts trustFakeOpenId).
   */
  botFrameworkAuthentication?: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
  now?: () => number;
  random?: () => number;
  idleCheckMs?: number;
}

export function createApp(config: Readonly<Config>, log: Logger, options: AppOptions = {}): App {
  const now = options.now ?? Date.now;
  if (config.store.kind !== 'sqlite') throw new Error('only the SQLite store is available');
  const store = openSqliteStore(config.store.file);
  const metrics = createMetrics();
  const connections = new Connections(store, config, resolveWebhookAuth(config, log));

  // Local mode: no app id, so botbuilder neither checks incoming tokens nor sends any.
  const auth = new BotAuthentication(config.localMode ? {} : {
    ...botFrameworkSettings(config),
    ...options.botFrameworkAuthentication,
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, err: Error) => {
    const errorId = `err-${now().toString(36)}-${randomInt(1_000_000).toString(36)}`;
    log.error({ err, errorId, conversationId: context.activity.conversation?.id }, 'turn failed');
    await context.sendActivity(`Something went wrong on my side (error id ${errorId}); nothing was changed. Please try again.`);
  };

  const settings = { vipTags: config.vipTags, roomUrlTemplate: config.roomUrlTemplate };
  const bot = new KlinkBot({ store, log, vipTags: config.vipTags, settings, now, tenants: new TenantPolicy(config, store) });
  const connector = new BotConnectorClient({ tokens: createTokenSource(config), timeoutMs: TEAMS_TIMEOUT_MS });
  const sender = new ConnectorSender(connector);
  const worker = new DeliveryWorker({
    store, log, now, metrics, sender, random: options.random ?? Math.random,
    connectionTenant: (id) => connections.tenantOf(id),
    settings,
    threadWindowMs: config.threadWindowMs,
    retentionMs: config.retentionMs,
    idleCheckMs: options.idleCheckMs,
  });
  // The bot's answers within a turn count against the same Teams limits as delivery.
  adapter.use(new ReplyPacing({ pacer: worker.pacer, store, now, log }));
  let shuttingDown = false;
  const server = createServer({
    log, store, adapter, bot, connections, deliveryProblem: () => worker.problem, shuttingDown: () => shuttingDown,
    webhook: { store, log, now, metrics, onStored: () => worker.kick() },
  });
  registerConsentRoutes(server, { store: store.tenants, log, now, config });

  return {
    server, store, worker, metrics,
    listen: async (port, host = config.host) => {
      await worker.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      });
    },
    close: async () => {
      // Stop taking webhooks first (requests under way still finish), then let deliveries settle.
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      await closed;
      const settled = await worker.stop(SHUTDOWN_GRACE_MS);
      if (!settled) log.warn('shutdown: some deliveries were still in flight; they are sent again after restart');
      connector.close();
      await store.close();
    },
  };
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
  log.warn({ file: local.file, created: local.created },
    'no KLINK_WEBHOOK_SECRET configured: using the local signing secret in this file (npm run send-sample signs with it)');
  return { mode: 'signature', secrets: [local.secret] };
}
