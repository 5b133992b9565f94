/** The log of requests sent to Teams: what pacing counts against Teams' limits. */

export interface TeamsRequestRecord {
  conversationId: string;
  tenantId: string;
  at: number;
}

export interface TeamsRequestLog {
  /** Every request sent to Teams since `since`, oldest first (seeds pacing after a restart). */
  teamsRequestsSince(since: number): Promise<TeamsRequestRecord[]>;
  recordTeamsRequest(record: TeamsRequestRecord): Promise<void>;
  pruneTeamsRequests(before: number): Promise<void>;
}
