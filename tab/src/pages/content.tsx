/**
 * The klink tab in a channel or group chat (`content.html`): what klink posts here (subscriptions,
 * add with the filter builder and a card preview), muted rooms, recent deliveries and dead letters.
 */
import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { tabConversation } from '../logic/conversation';
import { ApiProvider } from '../components/api-context';
import { Deliveries } from '../components/deliveries';
import { MutedRooms } from '../components/muted-rooms';
import { PageHeader } from '../components/page-header';
import { startPage } from '../components/page-shell';
import { SubscriptionsSection } from '../components/subscriptions-section';

startPage((context) => {
  const place = tabConversation(context);
  if (place === null) {
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Open this tab in a channel or group chat</MessageBarTitle>
          This page shows what klink posts in a channel or group chat. Add the klink tab to one, or open klink&apos;s personal tab for your
          own feeds.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const where = place.kind === 'channel' ? 'this channel' : 'this chat';
  return (
    <ApiProvider>
      <main>
        <PageHeader
          title={`klink in ${where}`}
          about={`The klink messages posted in ${where}. The same list as @klink subscriptions: a change here shows there, and the reverse.`}
        />
        <SubscriptionsSection conversationId={place.id} commandPrefix="@klink " />
        <MutedRooms conversationId={place.id} />
        <Deliveries conversationId={place.id} />
      </main>
    </ApiProvider>
  );
});
