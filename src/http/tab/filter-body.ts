/** The body `{"filters": "whatsapp vip"}` of the tab's subscribe and check routes: the filter words as text. */
import type { Request } from 'restify';
import type { Problem } from '../problem';
import { readJsonBody } from '../read-json-body';

const MAX_BODY_BYTES = 16 * 1024;
export const SEND_FILTERS_AS_TEXT = 'Send the filters as text, e.g. {"filters": "whatsapp vip"}.';

/** The filter text (possibly blank), `null` when the body has none as text, or the problem of an unreadable body. */
export async function readFilterBody(req: Request): Promise<{ ok: true; text: string | null } | { ok: false; problem: Problem }> {
  const body = await readJsonBody(req, MAX_BODY_BYTES);
  if (!body.ok) return body;
  const text = (body.value as { filters?: unknown } | null)?.filters;
  return { ok: true, text: typeof text === 'string' ? text : null };
}
