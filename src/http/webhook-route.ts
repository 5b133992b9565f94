/**
 * `POST /api/klink/webhook` and `/api/klink/webhook/<connection id>`: reads the raw body within
 * the size limit and hands it to receiveWebhook with the connection's auth.
 */
import type { Request, Response } from 'restify';
import { MAX_WEBHOOK_BYTES, type WebhookAnswer, type WebhookDeps, isJsonContentType, receiveWebhook } from '../klink/receive-webhook';
import type { WebhookResult } from '../metrics';
import type { ResolvedConnection } from '../klink/connections';

export function webhookHandler(resolve: (req: Request) => Promise<ResolvedConnection | null>, deps: WebhookDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const connection = await resolve(req);
    if (connection === null) {
      deps.metrics.webhooks.inc({ result: 'unknown_connection' });
      req.resume();
      res.send(404, { ok: false, error: 'no such klink connection' });
      return;
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      deps.metrics.webhooks.inc({ result: 'unsupported_type' });
      req.resume();
      res.send(415, { ok: false, error: 'Content-Type must be application/json' });
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_WEBHOOK_BYTES) {
      deps.metrics.webhooks.inc({ result: 'too_large' });
      tooLarge(req, res);
      return;
    }
    const body = await readBody(req, MAX_WEBHOOK_BYTES);
    if (body === 'aborted') {
      // The client is gone (it gave up, or the deadline cut it off): nothing to answer.
      deps.metrics.webhooks.inc({ result: 'aborted' });
      return;
    }
    if (body === null) {
      deps.metrics.webhooks.inc({ result: 'too_large' });
      tooLarge(req, res);
      return;
    }
    const answer = await receiveWebhook(connection, req.headers, body, deps);
    deps.metrics.webhooks.inc({ result: resultLabel(answer) });
    res.send(answer.status, answer.body);
  };
}

function resultLabel(answer: WebhookAnswer): WebhookResult {
  if (answer.status === 401) return 'unauthorized';
  if (answer.status === 400) return 'bad_request';
  return answer.body.result ?? 'stored';
}

function tooLarge(req: Request, res: Response): void {
  res.header('Connection', 'close');
  res.send(413, { ok: false, error: `body larger than ${MAX_WEBHOOK_BYTES} bytes` });
  req.resume();
}

/** The whole body; null as soon as it exceeds `limit` bytes (the rest is not kept); 'aborted' if the request closes first. */
function readBody(req: Request, limit: number): Promise<Buffer | null | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    // An aborted body ends with 'error' (ECONNRESET) and 'close' and never 'end'; ClientTrouble logs it.
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}
