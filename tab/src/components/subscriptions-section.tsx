/**
 * A conversation's feed: its subscriptions (list, remove) and Add a subscription (the filter
 * builder). The vocabulary comes from the server, or the bot's built-in one when the server does
 * not publish it.
 */
import { Spinner } from '@fluentui/react-components';
import { FALLBACK_VOCABULARY } from '../logic/fallback-vocabulary';
import { AddSubscription } from './add-subscription';
import { FailureBar } from './failure-bar';
import { Section } from './section';
import { SubscriptionList } from './subscription-list';
import { useLoad } from './use-load';
import { useRenderedMark } from './use-rendered-mark';

export function SubscriptionsSection({ conversationId, commandPrefix }: { conversationId: string; commandPrefix: string }) {
  const loaded = useLoad((api) => api.subscriptions(conversationId), conversationId);
  const vocabulary = useLoad((api) => api.vocabulary(), 'vocabulary');
  const result = loaded.result;
  useRenderedMark(result !== null);
  const words = vocabulary.result?.ok ? vocabulary.result.value : FALLBACK_VOCABULARY;
  return (
    <>
      <Section id="subscriptions" title="Subscriptions">
        {result === null ? <Spinner size="tiny" label="Loading subscriptions…" /> : null}
        {result !== null && !result.ok ? <FailureBar failure={result.failure} onRetry={loaded.reload} /> : null}
        {result?.ok ? (
          <SubscriptionList conversationId={conversationId} subscriptions={result.value.subscriptions} commandPrefix={commandPrefix} />
        ) : null}
      </Section>
      <Section id="add" title="Add a subscription">
        {vocabulary.result !== null && !vocabulary.result.ok && vocabulary.result.failure.kind !== 'not-available' ? (
          <FailureBar failure={vocabulary.result.failure} onRetry={vocabulary.reload} />
        ) : null}
        <AddSubscription conversationId={conversationId} commandPrefix={commandPrefix} vocabulary={words} />
      </Section>
    </>
  );
}
