/**
 * A conversation's subscriptions, in the bot's own words (the description, and the command that
 * made it, numbered as `@klink subscriptions` numbers them), each with Remove behind a
 * confirmation dialog.
 */
import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiFailure } from '../logic/api-failure';
import type { Subscription } from '../logic/api-types';
import { useShared } from './api-context';
import { FailureBar } from './failure-bar';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '8px' },
  item: {
    display: 'flex',
    alignItems: 'center',
    gap: '12px',
    padding: '8px 12px',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  text: { display: 'flex', flexDirection: 'column', flexGrow: 1, gap: '2px' },
  command: { fontFamily: tokens.fontFamilyMonospace, color: tokens.colorNeutralForeground3 },
});

export interface SubscriptionListProps {
  conversationId: string;
  subscriptions: Subscription[];
  /** `@klink ` in a channel or group chat, '' in the personal chat. */
  commandPrefix: string;
}

export function SubscriptionList({ conversationId, subscriptions, commandPrefix }: SubscriptionListProps) {
  const styles = useStyles();
  const { api, refresh } = useShared();
  const [confirming, setConfirming] = useState<Subscription | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);

  const remove = async (subscription: Subscription) => {
    setBusy(true);
    const answer = await api.removeSubscription(conversationId, subscription.id);
    setBusy(false);
    setConfirming(null);
    setFailure(answer.ok ? null : answer.failure);
    refresh();
  };

  if (subscriptions.length === 0) {
    return <Text>Nothing is posted here yet: add a subscription below, or type {commandPrefix}subscribe whatsapp vip.</Text>;
  }
  return (
    <>
      {failure ? <FailureBar failure={failure} /> : null}
      <ol className={styles.list} aria-label="Subscriptions">
        {subscriptions.map((s) => (
          <li key={s.id} className={styles.item} data-subscription={s.command}>
            <div className={styles.text}>
              <Text weight="semibold">
                {s.number}. {s.description}
              </Text>
              <Caption1 className={styles.command}>
                {commandPrefix}subscribe {s.command}
              </Caption1>
            </div>
            <Button onClick={() => setConfirming(s)} aria-label={`Remove subscription ${s.number}: ${s.description}`}>
              Remove
            </Button>
          </li>
        ))}
      </ol>
      <Dialog open={confirming !== null} onOpenChange={(_, data) => (data.open ? undefined : setConfirming(null))}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Remove this subscription?</DialogTitle>
            <DialogContent>
              <Text block>{confirming?.description}</Text>
              <Text block>
                klink stops posting these messages here. The same as typing {commandPrefix}unsubscribe {confirming?.number}.
              </Text>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" disabled={busy} onClick={() => confirming && void remove(confirming)}>
                {busy ? <Spinner size="tiny" label="Removing…" /> : 'Remove'}
              </Button>
              <Button disabled={busy} onClick={() => setConfirming(null)}>
                Cancel
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
