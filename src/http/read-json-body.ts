/**
 * Reads a small JSON request body into `unknown` within a size limit, for routes that answer
 * problem+json (restify's body parser answers its own error format).
 */
import type { Request } from 'restify';
import type { Problem } from './problem';

export type JsonBody = { ok: true; value: unknown } | { ok: false; problem: Problem };

export async function readJsonBody(req: Request, limit: number): Promise<JsonBody> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    return fail(415, 'unsupported-media-type', 'Send the body as JSON (Content-Type: application/json).');
  }
  const raw = await readLimited(req, limit);
  if (raw === null) return fail(413, 'body-too-large', `The body is larger than ${limit} bytes.`);
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch (err) {
    if (err instanceof SyntaxError) return fail(400, 'invalid-json', 'The body is not valid JSON.');
    throw err;
  }
}

function fail(status: number, code: string, detail: string): JsonBody {
  return { ok: false, problem: { code, status, title: 'The request body cannot be read', detail } };
}

/** The body, or null once it exceeds `limit` (the rest is read and dropped, so an answer can still be sent). */
function readLimited(req: Request, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
