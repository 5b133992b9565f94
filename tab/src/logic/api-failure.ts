/**
 * What can go wrong with a tab API call, and the sentence the page shows for it in place: the
 * server's problem+json `detail` (and each of its `problems`), a sign-in that failed twice, a
 * token Teams would not give, a route this server does not have yet, or no network.
 */

export type ApiFailure =
  | { kind: 'problem'; status: number; code: string; title: string; detail: string; problems: string[] }
  | { kind: 'sign-in'; detail: string }
  | { kind: 'token'; reason: string }
  | { kind: 'not-available'; status: number }
  | { kind: 'network'; reason: string };

export interface FailureMessage {
  title: string;
  body: string;
  /** Whether trying again can help (a Try again button). */
  retry: boolean;
}

/** The message shown next to what failed. */
export function failureMessage(failure: ApiFailure): FailureMessage {
  switch (failure.kind) {
    case 'problem':
      return {
        title: failure.title,
        body: [failure.detail, ...failure.problems.filter((p) => !failure.detail.includes(p))].join(' '),
        retry: failure.status >= 500 || failure.status === 429,
      };
    case 'sign-in':
      return {
        title: 'Sign in again',
        body: `Teams could not sign you in to klink: ${failure.detail} Reload the tab or sign out of Teams and back in, then try again.`,
        retry: true,
      };
    case 'token':
      return {
        title: 'Teams did not sign you in',
        body: `klink needs your permission or a Teams sign-in to show this (${failure.reason}). If your organization requires it, ask an admin to grant consent to klink; then try again.`,
        retry: true,
      };
    case 'not-available':
      return { title: 'Not available', body: 'This part is not available on this klink server yet.', retry: false };
    case 'network':
      return {
        title: 'klink cannot be reached',
        body: `The request did not reach klink (${failure.reason}). Check your connection and try again.`,
        retry: true,
      };
  }
}

/** The failure a non-2xx answer stands for; `body` is its parsed JSON (or null). */
export function answerFailure(status: number, contentType: string, body: unknown): ApiFailure {
  const problem = contentType.includes('application/problem+json') && isRecord(body) ? body : null;
  if (problem === null) {
    if (status === 404 || status === 405 || status === 501) return { kind: 'not-available', status };
    return {
      kind: 'problem',
      status,
      code: 'unexpected',
      title: 'klink answered with an error',
      detail: `klink answered ${status} without saying why. Try again; if it keeps failing, tell the operator.`,
      problems: [],
    };
  }
  const type = typeof problem.type === 'string' ? problem.type : '';
  return {
    kind: 'problem',
    status,
    code: type.replace(/^urn:klink-teams:problem:/, '') || 'unknown',
    title: typeof problem.title === 'string' ? problem.title : 'klink refused this',
    detail: typeof problem.detail === 'string' ? problem.detail : `klink answered ${status}.`,
    problems: Array.isArray(problem.problems) ? problem.problems.filter((p): p is string => typeof p === 'string') : [],
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
