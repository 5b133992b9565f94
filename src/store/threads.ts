/** The Teams thread of each klink room in each channel, and whether its root card is current. */
export interface RoomThread {
  conversationId: string;
  roomId: string;
  rootActivityId: string;
  rootEventId: number;
  startedAt: number;
  lastPostedAt: number;
  messageCount: number;
  latestEventId: number;
  rootUpdatedAt: number;
  /** Messages were added since the root card was last brought up to date. */
  rootStale: boolean;
}

export interface ThreadStore {
  getRoomThread(conversationId: string, roomId: string): Promise<RoomThread | null>;
  /** Threads of a conversation whose root card is out of date and was last updated before `updatedBefore`. */
  staleRoomThreads(conversationId: string, updatedBefore: number): Promise<RoomThread[]>;
  markRootUpdated(conversationId: string, roomId: string, now: number): Promise<void>;
  /** The root card stays out of date, but is looked at again only after the update interval. */
  deferRootUpdate(conversationId: string, roomId: string, now: number): Promise<void>;
}
