/**
 * A request whose body is still arriving HTTP_REQUEST_TIMEOUT_MS after its headers is cut off:
 * 408, then the connection is closed. A slow sender (or one that stalls on purpose) would
 * otherwise hold a connection and a handler for Node's default five minutes.
 */
import type restify from 'restify';
import { type ClientTrouble, routeLabel } from './client-trouble';

export function requestDeadline(timeoutMs: number, trouble: ClientTrouble): restify.RequestHandler {
  return (req, res, next) => {
    if (req.complete) return next();
    const timer = setTimeout(() => {
      if (req.complete || res.writableEnded) return;
      trouble.cutOff(req, routeLabel(req));
      const destroy = () => req.socket.destroy();
      if (res.headersSent) {
        destroy();
        return;
      }
      res.once('finish', destroy);
      res.header('Connection', 'close');
      res.send(408, { ok: false, error: `request body not received within ${timeoutMs} ms` });
    }, timeoutMs);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    return next();
  };
}
