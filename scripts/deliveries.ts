/**
 * `npm run deliveries -- <command>`: the delivery queue and the dead-letter list, for operators.
 *
 *   dead [--limit N]        deliveries Teams did not take, newest last, with the last error
 *   pending [--limit N]     deliveries still waiting (retrying, paced or paused), and which
 *                           delivery worker (host/pid) holds the claim on their conversation
 *   event <klink id> [...]  what became of klink messages (their data.id): each delivery and its state
 *   retry <id> [<id> …]     put dead deliveries back in the queue
 *   retry all               put every dead delivery back in the queue
 *   --help                  this text
 *
 * Works on the same database as the bot (DATABASE_URL, SQLite or PostgreSQL); running workers
 * pick re-queued deliveries up at once (PostgreSQL) or within a second (SQLite).
 */
import { parseArgs } from 'node:util';
import type { ListedDelivery, Store } from '../src/store/store';
import { USAGE_EXIT, parseOrUsage, runOperatorCommand } from './operator-cli';

const USAGE = 'usage: npm run deliveries -- dead [--limit N] | pending [--limit N] | event <klink message id…> | retry <id…> | retry all\n';
export const DELIVERIES_HELP = `${USAGE}
  dead [--limit N]        deliveries Teams did not take, newest last, with the last error
  pending [--limit N]     deliveries still waiting (retrying, paced or paused), and which
                          delivery worker (host/pid) holds the claim on their conversation
  event <klink id> [...]  what became of klink messages (their data.id): each delivery and its state
  retry <id> [<id> …]     put dead deliveries back in the queue
  retry all               put every dead delivery back in the queue
  --help                  this text
`;

export async function runDeliveriesCommand(store: Store, argv: string[], now: number, out: (line: string) => void): Promise<number> {
  const parsed = parseOrUsage(
    () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: { limit: { type: 'string', default: '100' } } }),
    USAGE,
    out,
  );
  if (parsed === null) return USAGE_EXIT;
  const [command, ...rest] = parsed.positionals;
  const limit = Number(parsed.values.limit);
  switch (command) {
    case 'dead':
    case 'pending': {
      if (!Number.isInteger(limit) || limit <= 0 || rest.length > 0) {
        out(USAGE);
        return USAGE_EXIT;
      }
      const rows = await store.deliveries.listDeliveries({ state: command }, limit);
      out(rows.length === 0 ? `no ${command} deliveries\n` : table(rows, now));
      return 0;
    }
    case 'event': {
      if (rest.length === 0) {
        out(USAGE);
        return USAGE_EXIT;
      }
      const events = await store.events.findEvents(rest);
      if (events.length === 0) {
        out(`no klink message with id ${rest.join(', ')} was received\n`);
        return 1;
      }
      const deliveries = await store.deliveries.listDeliveries({ eventIds: events.map((e) => e.id) }, 10_000);
      for (const event of events) {
        const mine = deliveries.filter((d) => d.eventId === event.id);
        out(
          `${event.dataId} (${event.eventType}, event ${event.id}) received ${new Date(event.receivedAt).toISOString()}: ` +
            `${mine.length === 0 ? 'no subscription matched it\n' : `${mine.length} ${mine.length === 1 ? 'delivery' : 'deliveries'}\n`}`,
        );
      }
      if (deliveries.length > 0) out(table(deliveries, now));
      return 0;
    }
    case 'retry': {
      if (rest.length === 0) {
        out(USAGE);
        return USAGE_EXIT;
      }
      const ids = rest[0] === 'all' && rest.length === 1 ? null : rest.map(Number);
      if (ids !== null && !ids.every((id) => Number.isInteger(id) && id > 0)) {
        out(`not delivery ids: ${rest.join(' ')}\n${USAGE}`);
        return USAGE_EXIT;
      }
      const requeued = await store.deliveries.requeueDead(ids, now);
      out(`${requeued} ${requeued === 1 ? 'delivery' : 'deliveries'} put back in the queue\n`);
      if (ids !== null && requeued < ids.length) out('some ids were not dead deliveries (see npm run deliveries -- dead)\n');
      return ids !== null && requeued === 0 ? 1 : 0;
    }
    default:
      out(USAGE);
      return USAGE_EXIT;
  }
}

function table(rows: ListedDelivery[], now: number): string {
  const lines = rows.map((d) => [
    String(d.id),
    String(d.eventId),
    d.conversationId,
    d.state,
    String(d.attempts),
    d.state === 'pending' ? `in ${Math.max(0, Math.round((d.nextAttemptAt - now) / 1000))} s` : '',
    d.claim !== null && d.claim.until > now ? d.claim.holder : '',
    d.lastError ?? '',
  ]);
  const header = ['id', 'event', 'conversation', 'state', 'attempts', 'next', 'claimed by', 'last error'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return `${[format(header), ...lines.map(format)].join('\n')}\n`;
}

if (require.main === module) {
  runOperatorCommand('deliveries', DELIVERIES_HELP, (store) =>
    runDeliveriesCommand(store, process.argv.slice(2), Date.now(), (line) => process.stdout.write(line)),
  );
}
