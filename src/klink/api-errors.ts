/**
 * The ways a call to klink's REST API can fail, each with a stable code and a message a person can
 * act on. Messages never carry the API token, message text or klink's answer body.
 */

export type KlinkApiErrorCode =
  | 'token-refused'
  | 'contact-not-found'
  | 'invalid-request'
  | 'rate-limited'
  | 'unavailable'
  | 'timeout'
  | 'outcome-unknown'
  | 'malformed-answer';

/** A failed klink API call; `status` is klink's HTTP status when there was one. */
export class KlinkApiError extends Error {
  constructor(
    readonly code: KlinkApiErrorCode,
    message: string,
    readonly status: number | null = null,
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'KlinkApiError';
  }
}

/** The error for an answer klink gave with a status that is not success. */
export function errorForStatus(status: number, what: string, attempts: number): KlinkApiError {
  if (status === 401 || status === 403) {
    return new KlinkApiError(
      'token-refused',
      `the klink API token was refused: klink answered ${status} to ${what}; create a new token in klink → Settings → API Tokens and set KLINK_API_TOKEN`,
      status,
      attempts,
    );
  }
  if (status === 429) {
    return new KlinkApiError(
      'rate-limited',
      `klink kept refusing ${what} as too many requests (429) after ${attempts} attempts; try again later`,
      status,
      attempts,
    );
  }
  if (status >= 500) {
    return new KlinkApiError(
      'unavailable',
      `klink is down or failing: it answered ${status} to ${what} after ${attempts} attempts; try again later`,
      status,
      attempts,
    );
  }
  return new KlinkApiError(
    'invalid-request',
    `klink refused ${what} with ${status}; the request may not match klink's API (check KLINK_API_BASE_URL)`,
    status,
    attempts,
  );
}
