/**
 * RFC 9457 problem details (`application/problem+json`) for the tab API: a stable `type` per
 * failure, a short `title`, and a `detail` a person can act on. The tab page shows `detail` in place.
 */
import type { Response } from 'restify';

export interface Problem {
  /** Stable code; `type` is `urn:klink-teams:problem:<code>`. */
  code: string;
  status: number;
  title: string;
  detail: string;
  /** Further members (e.g. `problems` for invalid filters, `correlationId` for a 500). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export function sendProblem(res: Response, problem: Problem): void {
  const body = JSON.stringify({
    type: `urn:klink-teams:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...problem.extra,
  });
  // Written as is: restify has no formatter for this media type.
  res.writeHead(problem.status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...problem.headers,
  });
  res.end(body);
}
