/** Shared setup of the store contract suite: a fresh database of the given kind per test, and builders. */
import type { NewConversation, NewEvent, Store } from '../../../src/store/store';
import { type StoreKind, type TestDatabase, createTestDatabase } from '../../support/test-database';

export interface ContractContext {
  store: Store;
  database: TestDatabase;
}

/** Opens a fresh store before each test and closes and drops it after; returns a live view of it. */
export function useStore(kind: StoreKind): ContractContext {
  const context = {} as ContractContext;
  beforeEach(async () => {
    context.database = await createTestDatabase(kind);
    context.store = await context.database.open();
  });
  afterEach(async () => {
    await context.store.close();
    await context.database.remove();
  });
  return context;
}

export const channel: NewConversation = {
  id: '19:general@thread.tacv2',
  type: 'channel',
  tenantId: 't1',
  serviceUrl: 'https://smba.example/amer/',
  channelId: 'msteams',
  teamId: '19:general@thread.tacv2',
  botId: '28:bot',
  botName: 'klink',
};

export function chat(id: string, tenantId = 't1'): NewConversation {
  return { ...channel, id, type: 'personal', teamId: null, tenantId };
}

export function messageEvent(dataId: string, extra: Partial<NewEvent> = {}): NewEvent {
  return { connectionId: 'default', eventType: 'message.inbound', dataId, kind: 'message', payload: '{}', receivedAt: 1000, ...extra };
}

/** Records a message event and dispatches it to `conversations`; returns its id. */
export async function dispatched(store: Store, dataId: string, conversations: string[], now = 10): Promise<number> {
  const { eventId } = await store.events.recordEvent(messageEvent(dataId));
  await store.deliveries.dispatchEvents(
    [{ eventId, targets: conversations.map((conversationId) => ({ conversationId, subscriptionIds: [1] })) }],
    now,
  );
  return eventId;
}
