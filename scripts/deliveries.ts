/**
 * `npm run deliveries -- <command>`: the dead-letter list, for operators.
 *
 *   dead [--limit N]        deliveries Teams did not take, newest last, with the last error
 *   pending [--limit N]     deliveries still waiting (retrying, paced or paused)
 *   retry <id> [<id> …]     put dead deliveries back in the queue
 *   retry all               put every dead delivery back in the queue
 *
 * Works on the same database as the bot (DATABASE_URL); a running bot picks re-queued
 * deliveries up within a second.
 */
import type { Delivery, DeliveryState, Store } from '../src/store/store';
import { runOperatorCommand } from './operator-cli';

const USAGE = 'usage: npm run deliveries -- dead [--limit N] | pending [--limit N] | retry <id…> | retry all\n';

export async function runDeliveriesCommand(store: Store, argv: string[], now: number, out: (line: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  const limitIndex = rest.indexOf('--limit');
  const limit = limitIndex >= 0 ? Number(rest[limitIndex + 1]) : 100;
  switch (command) {
    case 'dead':
    case 'pending': {
      if (!Number.isInteger(limit) || limit <= 0) {
        out(USAGE);
        return 2;
      }
      const rows = await store.deliveries.listDeliveries({ state: command as DeliveryState }, limit);
      out(rows.length === 0 ? `no ${command} deliveries\n` : table(rows, now));
      return 0;
    }
    case 'retry': {
      if (rest.length === 0) {
        out(USAGE);
        return 2;
      }
      const ids = rest[0] === 'all' && rest.length === 1 ? null : rest.map(Number);
      if (ids !== null && !ids.every((id) => Number.isInteger(id) && id > 0)) {
        out(`not delivery ids: ${rest.join(' ')}\n${USAGE}`);
        return 2;
      }
      const requeued = await store.deliveries.requeueDead(ids, now);
      out(`${requeued} ${requeued === 1 ? 'delivery' : 'deliveries'} put back in the queue\n`);
      if (ids !== null && requeued < ids.length) out('some ids were not dead deliveries (see npm run deliveries -- dead)\n');
      return ids !== null && requeued === 0 ? 1 : 0;
    }
    default:
      out(USAGE);
      return 2;
  }
}

function table(rows: Delivery[], now: number): string {
  const lines = rows.map((d) => [
    String(d.id), String(d.eventId), d.conversationId, String(d.attempts),
    d.state === 'pending' ? `in ${Math.max(0, Math.round((d.nextAttemptAt - now) / 1000))} s` : '', d.lastError ?? '',
  ]);
  const header = ['id', 'event', 'conversation', 'attempts', 'next', 'last error'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return `${[format(header), ...lines.map(format)].join('\n')}\n`;
}

if (require.main === module) {
  runOperatorCommand('deliveries', (store) => runDeliveriesCommand(store, process.argv.slice(2), Date.now(), (line) => process.stdout.write(line)));
}
