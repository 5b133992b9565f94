/**
 * LISTEN on the store's channel over a connection of its own, so every instance hears at once
 * when another commits new work. A lost connection is opened again (with backoff); the listener
 * is then called once, since notifications sent meanwhile were missed.
 */
import pg from 'pg';

const RETRY_MS = [100, 500, 1_000, 2_000, 5_000];

export async function listen(
  config: pg.ClientConfig,
  channel: string,
  listener: () => void,
  onError: (err: Error) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(config);
    next.on('notification', (message) => {
      if (message.channel === channel) listener();
    });
    next.on('error', (err: Error) => {
      onError(err);
      reconnect(next);
    });
    next.on('end', () => reconnect(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${next.escapeIdentifier(channel)}`);
    } catch (err) {
      await next.end().catch(() => undefined); // the connection is given up either way
      throw err;
    }
    if (stopped) {
      await next.end();
      return;
    }
    client = next;
    failures = 0;
  };

  const reconnect = (lost: pg.Client): void => {
    if (stopped || client !== lost) return;
    client = null;
    lost.end().catch(onError);
    const attempt = (): void => {
      retry = setTimeout(
        () => {
          if (stopped) return;
          connect().then(
            () => listener(),
            (err: Error) => {
              onError(err);
              failures += 1;
              attempt();
            },
          );
        },
        RETRY_MS[Math.min(failures, RETRY_MS.length - 1)],
      );
    };
    attempt();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const current = client;
    client = null;
    await current?.end();
  };
}
