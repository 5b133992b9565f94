/**
 * `/healthz`, `/readyz` and `/metrics`, for every role. /readyz checks that the store answers and
 * commits (a tiny real write, see store-write-probe.ts) and that delivery has no problem; the
 * reason is shown only to operators (METRICS_TOKEN, see operator-access.ts) and logged, since it
 * can name hosts, tables or credentials. /metrics is for operators only.
 */
import { AggregatorRegistry } from 'prom-client';
import type restify from 'restify';
import type { DeliveryHandle } from '../delivery/delivery-handle';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';
import type { OperatorAccess } from './operator-access';
import { storeWriteProbe } from './store-write-probe';

export interface HealthDeps {
  log: Logger;
  store: Pick<Store, 'ping' | 'leases'>;
  metrics: Metrics;
  /** Delivery in this process, if any: its problem makes the process not ready. */
  delivery: () => DeliveryHandle | null;
  /** True once shutdown began: requests on kept-alive connections are turned away too. */
  shuttingDown: () => boolean;
  /** Whether a request's Authorization header may see operator details. */
  access: (authorization: string | undefined) => OperatorAccess;
  now: () => number;
}

export function healthRoutes(server: restify.Server, deps: HealthDeps): void {
  const canCommit = storeWriteProbe(deps.store.leases, deps.now);
  let loggedReason: string | null = null;

  server.pre((_req, res, next) => {
    if (!deps.shuttingDown()) return next();
    res.header('Connection', 'close');
    res.send(503, { ok: false, error: 'shutting down' });
    return next(false);
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { ok: true });
  });

  /** Null when ready, else why not; store problems are logged when they begin or change. */
  const notReadyBecause = async (): Promise<string | null> => {
    let storeProblem: string | null;
    try {
      await deps.store.ping();
      storeProblem = await canCommit();
    } catch (err) {
      storeProblem = `the store is unreachable: ${(err as Error).message}`;
    }
    if (storeProblem !== loggedReason) {
      if (storeProblem !== null) deps.log.error({ reason: storeProblem }, 'not ready: store problem');
      else deps.log.info('store commits again: ready');
      loggedReason = storeProblem;
    }
    // Delivery logs its own problems when they arise.
    return storeProblem ?? (await deps.delivery()?.problem()) ?? null;
  };

  server.get('/readyz', async (req, res) => {
    const reason = await notReadyBecause();
    if (reason === null) {
      res.send(200, { ok: true });
      return;
    }
    res.send(503, deps.access(req.headers.authorization) === 'granted' ? { ok: false, error: reason } : { ok: false });
  });

  server.get('/metrics', async (req, res) => {
    const access = deps.access(req.headers.authorization);
    if (access !== 'granted') {
      if (access === 'denied') res.header('WWW-Authenticate', 'Bearer realm="klink-teams metrics"');
      res.send(access === 'closed' ? 404 : 401, {
        ok: false,
        error: access === 'closed' ? 'not found' : 'a valid METRICS_TOKEN bearer token is required',
      });
      return;
    }
    const { registry } = deps.metrics;
    // Delivery in a thread of its own keeps its own registry: both are added up here.
    const other = (await deps.delivery()?.metrics()) ?? null;
    const body =
      other === null ? await registry.metrics() : await AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), other]).metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(body);
  });
}
