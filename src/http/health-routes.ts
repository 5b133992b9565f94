/** `/healthz`, `/readyz` and `/metrics`, for every role. */
import { AggregatorRegistry } from 'prom-client';
import type restify from 'restify';
import type { DeliveryHandle } from '../delivery/delivery-handle';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';

export interface HealthDeps {
  log: Logger;
  store: Pick<Store, 'ping'>;
  metrics: Metrics;
  /** Delivery in this process, if any: its problem makes the process not ready. */
  delivery: () => DeliveryHandle | null;
  /** True once shutdown began: requests on kept-alive connections are turned away too. */
  shuttingDown: () => boolean;
}

export function healthRoutes(server: restify.Server, deps: HealthDeps): void {
  server.pre((_req, res, next) => {
    if (!deps.shuttingDown()) return next();
    res.header('Connection', 'close');
    res.send(503, { ok: false, error: 'shutting down' });
    return next(false);
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { ok: true });
  });

  server.get('/readyz', async (_req, res) => {
    try {
      await deps.store.ping();
    } catch (err) {
      deps.log.error({ err }, 'readiness check failed: store unreachable');
      res.send(503, { ok: false, error: 'store unreachable' });
      return;
    }
    const problem = (await deps.delivery()?.problem()) ?? null;
    if (problem !== null) {
      res.send(503, { ok: false, error: problem });
      return;
    }
    res.send(200, { ok: true });
  });

  server.get('/metrics', async (_req, res) => {
    const { registry } = deps.metrics;
    // Delivery in a thread of its own keeps its own registry: both are added up here.
    const other = (await deps.delivery()?.metrics()) ?? null;
    const body = other === null
      ? await registry.metrics()
      : await AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), other]).metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(body);
  });
}
