/**
 * One HTTP request to the Bot Connector over node:http / node:https with keep-alive agents.
 * Delivery makes hundreds of requests a second to a handful of regional hosts; reusing their
 * connections and skipping fetch's stream machinery roughly halves the CPU a request costs.
 * No redirects are followed and no request is repeated: one call is one request.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  /** Lower-case header names. */
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A request that got no HTTP answer: `code` is `Timeout` or the socket error code. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'HttpTransportError';
  }
}

/**
 * Bot Connector answers are small JSON documents; a larger body is not read, but the status still
 * counts (a 2xx means Teams took the activity: treating it as no answer would post it again).
 */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Idle keep-alive connections are closed after this long (well under Azure's 4-minute idle cut). */
const IDLE_SOCKET_MS = 30_000;

export class HttpTransport {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxFreeSockets: 64, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxFreeSockets: 64, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
  };

  constructor(private readonly timeoutMs: number) {}

  /**
   * Sends `body` as JSON; resolves with any HTTP answer, rejects with HttpTransportError without
   * one within `timeoutMs` (default: the transport's).
   */
  request(method: string, url: URL, headers: Record<string, string>, body: string, timeoutMs = this.timeoutMs): Promise<HttpAnswer> {
    const protocol = url.protocol === 'https:' ? 'https:' : url.protocol === 'http:' ? 'http:' : null;
    if (protocol === null) return Promise.reject(new HttpTransportError(`unsupported protocol ${url.protocol}`, 'BadServiceUrl'));
    const payload = Buffer.from(body, 'utf8');
    const options: http.RequestOptions = {
      method,
      agent: this.agents[protocol],
      headers: { ...headers, 'content-length': String(payload.length) },
    };
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      /** Settles the promise once, whichever of answer, error and timeout comes first. */
      const settle = (outcome: HttpAnswer | HttpTransportError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof HttpTransportError) reject(outcome);
        else resolve(outcome);
      };
      const request = (protocol === 'https:' ? https : http).request(url, options, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            settle({ status: response.statusCode ?? 0, headers: response.headers, text: '' });
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          settle({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks, size).toString('utf8') }),
        );
        response.on('error', (err: NodeJS.ErrnoException) => settle(new HttpTransportError(err.message, err.code ?? 'NetworkError')));
      });
      const timer = setTimeout(() => {
        settle(new HttpTransportError(`no answer within ${timeoutMs} ms`, 'Timeout'));
        request.destroy();
      }, timeoutMs);
      request.on('error', (err: NodeJS.ErrnoException) => settle(new HttpTransportError(err.message, err.code ?? 'NetworkError')));
      request.end(payload);
    });
  }

  /** Closes the kept-alive connections (shutdown). */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
