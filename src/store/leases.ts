/**
 * Named leases: work that one worker of many should do at a time (turning events into
 * deliveries in order, housekeeping). A lease held by a worker that died expires on its own.
 */
export interface LeaseStore {
  /** Takes or renews the lease for `holder` until `now + ttlMs`; false when another holds it. */
  acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}
