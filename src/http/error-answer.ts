/**
 * Answers for failures on our side. The caller learns that it failed and an id to quote; the
 * details (error text, stack, library messages) go only to the log, under the same id, so nothing
 * about the inside (paths, hosts, library versions) leaves the process.
 */
import { randomUUID } from 'node:crypto';

export interface FailureBody {
  ok: false;
  error: string;
  correlationId: string;
}

/** A new id that ties an answer to its log line. */
export function newCorrelationId(): string {
  return randomUUID();
}

/** 500: something unexpected; the operator finds the details in the log by the id. */
export function internalErrorBody(correlationId: string): FailureBody {
  return { ok: false, error: 'internal error: quote the correlation id to the operator', correlationId };
}

/** 503: a service we depend on is unavailable; the caller may try again later. */
export function unavailableBody(correlationId: string): FailureBody {
  return { ok: false, error: 'temporarily unavailable: try again later', correlationId };
}
