/**
 * The last 50 klink messages posted (or to be posted) here: state, attempts, last error and when;
 * dead letters — messages Teams did not take — with Retry, one or all.
 */
import {
  Badge,
  Button,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiResult } from '../logic/api-client';
import type { ApiFailure } from '../logic/api-failure';
import type { Delivery, DeliveryState } from '../logic/api-types';
import { channelDisplayName } from '../../../src/cards/channel-names';
import { useShared } from './api-context';
import { FailureBar } from './failure-bar';
import { Section } from './section';
import { useLoad } from './use-load';
import { when } from './when';

const STATE_BADGE: Record<DeliveryState, 'informative' | 'success' | 'danger'> = {
  pending: 'informative',
  delivered: 'success',
  dead: 'danger',
};

export function Deliveries({ conversationId }: { conversationId: string }) {
  const { api, refresh } = useShared();
  const loaded = useLoad((a) => a.deliveries(conversationId), conversationId);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<ApiResult<{ requeued: number }>>) => {
    setBusy(true);
    const answer = await action();
    setBusy(false);
    setFailure(answer.ok ? null : answer.failure);
    setNote(answer.ok ? `${answer.value.requeued} message${answer.value.requeued === 1 ? '' : 's'} back in the queue.` : null);
    refresh();
  };

  const result = loaded.result;
  const items = result?.ok ? result.value.deliveries : [];
  const dead = items.filter((d) => d.state === 'dead').length;
  return (
    <Section
      id="deliveries"
      title="Recent deliveries"
      actions={
        dead > 0 ? (
          <Button disabled={busy} onClick={() => void run(() => api.retryDead(conversationId))}>
            Retry all {dead} dead
          </Button>
        ) : null
      }
    >
      {failure ? <FailureBar failure={failure} /> : null}
      {note ? <Text role="status">{note}</Text> : null}
      {result === null ? <Spinner size="tiny" label="Loading deliveries…" /> : null}
      {result !== null && !result.ok ? <FailureBar failure={result.failure} onRetry={loaded.reload} /> : null}
      {result?.ok && items.length === 0 ? <Text>Nothing has been posted here yet.</Text> : null}
      {items.length > 0 ? (
        <Table aria-label="The last 50 deliveries to this conversation, newest first" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Message</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>Attempts</TableHeaderCell>
              <TableHeaderCell>Last error</TableHeaderCell>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Action</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((d) => (
              <Row key={d.id} delivery={d} busy={busy} onRetry={() => void run(() => api.retry(conversationId, d.id))} />
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Section>
  );
}

function Row({ delivery: d, busy, onRetry }: { delivery: Delivery; busy: boolean; onRetry: () => void }) {
  const who = d.event.kind === 'message.inbound' ? (d.event.contactName ?? 'a customer') : 'an agent or the AI agent';
  return (
    <TableRow>
      <TableCell>
        {channelDisplayName(d.event.channelType)} message from {who}, room {d.event.roomId}
      </TableCell>
      <TableCell>
        <Badge appearance="tint" color={STATE_BADGE[d.state]}>
          {d.state}
        </Badge>
      </TableCell>
      <TableCell>{d.attempts}</TableCell>
      <TableCell>{d.lastError ?? '—'}</TableCell>
      <TableCell>
        {d.state === 'delivered'
          ? `posted ${when(d.deliveredAt)}`
          : d.state === 'pending'
            ? `next try ${when(d.nextAttemptAt)}`
            : `sent by klink ${when(d.event.at)}`}
      </TableCell>
      <TableCell>
        {d.state === 'dead' ? (
          <Button size="small" disabled={busy} onClick={onRetry} aria-label={`Retry delivery ${d.id}`}>
            Retry
          </Button>
        ) : null}
      </TableCell>
    </TableRow>
  );
}
