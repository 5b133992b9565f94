/**
 * Builds the application for its role (PROCESS_ROLE): `all` takes webhooks and Teams activities
 * here and delivers in a worker thread; `web` only takes them; `worker` only delivers (with a
 * small health and metrics endpoint). Any number of each may share one PostgreSQL database.
 */
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import restify from 'restify';
import type { Config } from './config';
import { createDelivery } from './delivery/create-delivery';
import { type DeliveryHandle, inlineDelivery } from './delivery/delivery-handle';
import { startDeliveryThread } from './delivery/delivery-thread';
import { healthRoutes } from './http/health-routes';
import { operatorAccess } from './http/operator-access';
import type { Logger } from './log';
import { type Metrics, createMetrics } from './metrics';
import { openStore } from './store/open-store';
import type { Store } from './store/store';
import { createWebServer } from './web-app';

export interface App {
  server: restify.Server;
  metrics: Metrics;
  store: Store;
  /** Delivery in this process (null for PROCESS_ROLE=web). */
  delivery: DeliveryHandle | null;
  /** Listens on `port` (0 = any free port) and starts delivering; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

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
  claimLeaseMs?: number;
  /**
   * Where delivery runs with PROCESS_ROLE=all: `thread` (a worker thread, as `npm start` does)
   * or `inline` (this thread: tests that inject a clock or watch the worker).
   */
  delivery?: 'thread' | 'inline';
  /**
   * Tests only: accept activities naming a plain-http service URL with authentication on (a fake
   * Bot Connector on 127.0.0.1). Production leaves it unset: outside local mode only https service
   * URLs are used, so the bot's bearer token never travels unencrypted.
   */
  allowHttpServiceUrls?: boolean;
  /** Tests only: Entra's host for the tab's SSO tokens (a local OpenID/JWKS server); default https://login.microsoftonline.com. */
  tabAuthorityHost?: string;
  /** The built klink tab served at /tab/ (tests: a temp dir of fake files); default `<project>/dist/tab`. */
  tabDir?: string;
  /** Tests only: frame-ancestors sources for the tab's pages instead of Microsoft's hosts (and loopback in local mode). */
  tabFrameAncestors?: readonly string[];
}

export async function createApp(config: Readonly<Config>, log: Logger, options: AppOptions = {}): Promise<App> {
  // A worker-only process takes no webhooks: its writes need not wait for the database's disk (see durableCommits).
  const store = await openStore(config.store, {
    onError: (err) => log.warn({ err }, 'database connection error'),
    durableCommits: config.role !== 'worker',
  });
  const metrics = createMetrics();
  const deliveryOptions = {
    now: options.now,
    random: options.random,
    idleCheckMs: options.idleCheckMs,
    claimLeaseMs: options.claimLeaseMs,
  };
  let delivery: (DeliveryHandle & { start?: () => Promise<void> }) | null = null;
  let startDelivery = async (): Promise<void> => undefined;
  if (config.role === 'worker' || (config.role === 'all' && options.delivery === 'inline')) {
    const inline = inlineDelivery(createDelivery(config, log, store, metrics, deliveryOptions));
    delivery = inline;
    startDelivery = () => inline.start();
  } else if (config.role === 'all') {
    startDelivery = async () => {
      delivery = await startDeliveryThread(config, log, { idleCheckMs: options.idleCheckMs, claimLeaseMs: options.claimLeaseMs });
    };
  }

  let shuttingDown = false;
  const health = {
    log,
    store,
    metrics,
    delivery: () => delivery,
    shuttingDown: () => shuttingDown,
    access: operatorAccess(config),
    now: options.now ?? Date.now,
  };
  const server = config.role === 'worker' ? workerServer(health) : createWebServer(config, log, store, metrics, health, options);

  return {
    server,
    store,
    metrics,
    get delivery() {
      return delivery;
    },
    listen: async (port, host = config.host) => {
      await startDelivery();
      return new Promise((resolve, reject) => {
        // Only while starting: restify also emits a failed request's error under the error's own
        // name, and pg's errors are named "error" — a listener left here would swallow them.
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as { port: number }).port);
        });
      });
    },
    close: async () => {
      // Stop taking webhooks first (requests under way still finish), then let deliveries settle.
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      server.server.closeIdleConnections();
      await closed;
      if (delivery !== null) await delivery.stop(SHUTDOWN_GRACE_MS);
      await store.close();
    },
  };
}

/** PROCESS_ROLE=worker answers only /healthz, /readyz and /metrics. */
function workerServer(health: Parameters<typeof healthRoutes>[1]): restify.Server {
  const server = restify.createServer({ name: 'klink-teams-worker', handleUncaughtExceptions: false });
  healthRoutes(server, health);
  return server;
}
