/**
 * App Service's managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), at the wire:
 * issues access tokens for the resource asked for, each with the lifetime the test sets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeManagedIdentity {
  /** For IDENTITY_ENDPOINT. */
  endpoint: string;
  /** For IDENTITY_HEADER. */
  header: string;
  /** Every token request: its query (resource, client_id, api-version). */
  requests: URLSearchParams[];
  issued: string[];
  /** Lifetime of the next tokens, in seconds. */
  lifetimeS: number;
  close(): Promise<void>;
}

export async function startFakeManagedIdentity(): Promise<FakeManagedIdentity> {
  const header = 'identity-header-secret';
  const fake = { requests: [] as URLSearchParams[], issued: [] as string[], lifetimeS: 3_600 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers['x-identity-header'] !== header) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_header' }));
      return;
    }
    fake.requests.push(url.searchParams);
    const token = `entra-token-${fake.issued.length + 1}`;
    fake.issued.push(token);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: token,
        token_type: 'Bearer',
        resource: url.searchParams.get('resource'),
        expires_on: String(Math.floor(Date.now() / 1000) + fake.lifetimeS),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`,
    header,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
