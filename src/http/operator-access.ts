/**
 * Who may read what only operators should see (/metrics, the reason behind a failed /readyz):
 * the bearer of METRICS_TOKEN, compared in constant time. Without a token, local mode (which
 * listens on loopback only) is open and any other deployment is closed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** `granted`: show it; `denied`: a token is set and this caller lacks it; `closed`: no token is set outside local mode. */
export type OperatorAccess = 'granted' | 'denied' | 'closed';

/** Decides access from a request's Authorization header. */
export function operatorAccess(settings: {
  metricsToken: string | null;
  localMode: boolean;
}): (authorization: string | undefined) => OperatorAccess {
  const { metricsToken, localMode } = settings;
  if (metricsToken === null) return () => (localMode ? 'granted' : 'closed');
  const expected = digest(metricsToken);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    // Digests have one length, so the comparison takes the same time whatever was sent.
    return match !== null && timingSafeEqual(digest(match[1]), expected) ? 'granted' : 'denied';
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
