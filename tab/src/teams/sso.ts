/**
 * Teams single sign-on for the API client: `authentication.getAuthToken()`, bounded in time, as
 * a token answer (never a throw) so a failure can be reported and the call still tried.
 */
import { authentication } from '@microsoft/teams-js';
import type { TokenSource } from '../logic/api-client';
import { withDeadline } from './connect';

const TOKEN_TIMEOUT_MS = 10_000;

export const teamsToken: TokenSource = async (fresh) => {
  try {
    const token = await withDeadline(
      authentication.getAuthToken(fresh ? { silent: true } : undefined),
      TOKEN_TIMEOUT_MS,
      'Teams gave no sign-in token',
    );
    return { ok: true, token };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
};
