/** The klink rooms muted in this conversation (with **Mute this room** on a card), each with Unmute. */
import { Button, Link, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiFailure } from '../logic/api-failure';
import { useShared } from './api-context';
import { FailureBar } from './failure-bar';
import { Section } from './section';
import { useLoad } from './use-load';
import { when } from './when';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '6px' },
  item: {
    display: 'flex',
    gap: '12px',
    alignItems: 'center',
    padding: '6px 12px',
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
  },
  grow: { flexGrow: 1 },
});

export function MutedRooms({ conversationId }: { conversationId: string }) {
  const styles = useStyles();
  const { api, refresh } = useShared();
  const loaded = useLoad((a) => a.mutedRooms(conversationId), conversationId);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const unmute = async (roomId: string) => {
    setBusy(roomId);
    const answer = await api.unmute(conversationId, roomId);
    setBusy(null);
    setFailure(answer.ok ? null : answer.failure);
    refresh();
  };

  const result = loaded.result;
  return (
    <Section id="muted" title="Muted klink rooms">
      {failure ? <FailureBar failure={failure} /> : null}
      {result === null ? <Spinner size="tiny" label="Loading muted rooms…" /> : null}
      {result !== null && !result.ok ? <FailureBar failure={result.failure} onRetry={loaded.reload} /> : null}
      {result?.ok && result.value.mutedRooms.length === 0 ? <Text>No room is muted here.</Text> : null}
      {result?.ok && result.value.mutedRooms.length > 0 ? (
        <ul className={styles.list} aria-label="Muted rooms">
          {result.value.mutedRooms.map((room) => (
            <li key={room.roomId} className={styles.item}>
              <Text className={styles.grow}>
                {room.roomUrl ? (
                  <Link href={room.roomUrl} target="_blank" rel="noopener noreferrer">
                    Room {room.roomId}
                  </Link>
                ) : (
                  `Room ${room.roomId}`
                )}{' '}
                muted until {when(room.until)}
                {room.mutedBy ? ` by ${room.mutedBy}` : ''}
              </Text>
              <Button disabled={busy !== null} onClick={() => void unmute(room.roomId)} aria-label={`Unmute room ${room.roomId}`}>
                {busy === room.roomId ? <Spinner size="tiny" label="Unmuting…" /> : 'Unmute'}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
