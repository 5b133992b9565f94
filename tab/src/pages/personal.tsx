/**
 * klink's personal tab (`personal.html`): the user's own feed in their personal chat with the bot
 * (the same list and builder as a channel's), and the channels and chats they can manage.
 */
import { Spinner, Text } from '@fluentui/react-components';
import { ApiProvider } from '../components/api-context';
import { ConversationLinks } from '../components/conversation-links';
import { FailureBar } from '../components/failure-bar';
import { PageHeader } from '../components/page-header';
import { startPage } from '../components/page-shell';
import { Section } from '../components/section';
import { SubscriptionsSection } from '../components/subscriptions-section';
import { useLoad } from '../components/use-load';
import { useRenderedMark } from '../components/use-rendered-mark';

function Personal() {
  const me = useLoad((api) => api.me(), 'me');
  const result = me.result;
  useRenderedMark(result !== null);
  return (
    <main>
      <PageHeader
        title="Your klink"
        about="What klink posts in your personal chat with it, and the channels and chats where you can change what it posts."
      />
      {result === null ? <Spinner size="tiny" label="Loading…" /> : null}
      {result !== null && !result.ok ? <FailureBar failure={result.failure} onRetry={me.reload} /> : null}
      {result?.ok && result.value.personal.conversationId !== null ? (
        <SubscriptionsSection conversationId={result.value.personal.conversationId} commandPrefix="" />
      ) : null}
      {result?.ok && result.value.personal.conversationId === null ? (
        <Section id="personal" title="Your personal feed">
          <Text>
            You have no personal chat with klink yet. Start one: in Teams select Chat, then New chat, type klink and send it any message
            (for example help). Then come back here.
          </Text>
        </Section>
      ) : null}
      {result?.ok ? (
        <Section id="conversations" title="Your channels and chats">
          <ConversationLinks conversations={result.value.conversations} limits={result.value.limits} />
        </Section>
      ) : null}
    </main>
  );
}

startPage(() => (
  <ApiProvider>
    <Personal />
  </ApiProvider>
));
