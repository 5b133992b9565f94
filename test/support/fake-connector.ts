/**
 * A fake Bot Connector (the Bot Framework REST service Teams exposes at the activity's serviceUrl):
 * a real HTTP server on 127.0.0.1 that answers the routes botbuilder's ConnectorClient calls,
 * records every request, and can be told to fail the next N matching requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export type ConnectorRoute =
  | 'createConversation'
  | 'getConversations'
  | 'sendToConversation'
  | 'replyToActivity'
  | 'updateActivity'
  | 'deleteActivity'
  | 'getConversationMembers'
  | 'getConversationMember'
  | 'getConversationPagedMembers'
  | 'getActivityMembers'
  | 'getTeamDetails'
  | 'getTeamChannels'
  | 'unknown';

/** The parts of an activity the fake looks at; the body itself is kept as sent. */
export interface SentActivity {
  type?: string;
  id?: string;
  text?: string;
  replyToId?: string;
  conversation?: { id?: string };
  attachments?: Array<{ contentType?: string; content?: unknown }>;
  [key: string]: unknown;
}

export interface RecordedResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** True when a respondWith rule produced this response. */
  injected: boolean;
  /** `Date.now()` when the response was sent. */
  sentAt: number;
}

export interface RecordedRequest {
  /** 1-based order of arrival. */
  seq: number;
  method: string;
  /** Path as received (still URL-encoded), without the query string. */
  path: string;
  route: ConnectorRoute;
  /** Decoded conversation id: from the URL, or for createConversation the id the fake created. */
  conversationId?: string;
  /**
   * The channel part of the conversation id (before `;messageid=`), or for createConversation
   * `channelData.channel.id`; known before the request is answered.
   */
  channelId?: string;
  /**
   * The activity this request is about: for send, reply and create the id the fake assigned to the
   * new activity; for update and delete the (decoded) id from the URL.
   */
  activityId?: string;
  /** Decoded activity id in the URL (reply target, updated or deleted activity). */
  urlActivityId?: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when there was none; the raw text when it was not JSON). */
  body: unknown;
  /** The activity carried by the request (the body, or `body.activity` for createConversation). */
  activity?: SentActivity;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
  /** Filled in when the response is sent (absent while a delayed response is pending). */
  response?: RecordedResponse;
}

export interface RecordedCard {
  /** The Adaptive Card JSON (`attachment.content`). */
  content: unknown;
  conversationId?: string;
  activityId?: string;
  route: ConnectorRoute;
  request: RecordedRequest;
}

export interface RequestMatcher {
  route?: ConnectorRoute | ConnectorRoute[];
  method?: string;
  /**
   * Exact id, or a RegExp; a string ending in '*' matches as a prefix. A createConversation has no
   * conversation id until it is answered: match it (in a rule) with `channelId`.
   */
  conversationId?: string | RegExp;
  /** Exact channel id (thread ids included: `19:x@thread.tacv2;messageid=1` has channel `19:x@thread.tacv2`). */
  channelId?: string;
  predicate?: (request: RecordedRequest) => boolean;
}

/**
 * What to do with matching requests. With `status` the fake answers with it (and `body`, `headers`);
 * without it the normal answer is sent, after `delayMs` if given. `resetConnection` destroys the
 * socket instead of answering (a network error for the client).
 */
export interface FaultRule {
  match?: RequestMatcher;
  /** How many matching requests the rule applies to (default 1; Infinity for all). */
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  resetConnection?: boolean;
}

export interface FaultHandle {
  readonly rule: FaultRule;
  /** Requests this rule has answered so far. */
  readonly hits: RecordedRequest[];
  /** How many more requests it will answer. */
  remaining(): number;
  /** Stops the rule from applying to further requests. */
  cancel(): void;
}

export interface ChannelAccountLike {
  id: string;
  name?: string;
  aadObjectId?: string;
  [key: string]: unknown;
}

export interface FakeConnectorOptions {
  /** Path prefix the routes live under, like a regional serviceUrl (`/amer/`); default `/`. */
  basePath?: string;
  /** Returned by the members routes. */
  members?: ChannelAccountLike[];
  /** Returned by `GET /v3/teams/:teamId/conversations`. */
  channels?: Array<{ id: string; name?: string }>;
}

/** Error bodies as Teams returns them, for `respondWith`. */
export const connectorErrors = {
  throttled: (retryAfterSeconds = 1): FaultRule => ({
    status: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    body: { error: { code: 'Throttled', message: 'Too many requests' } },
  }),
  botNotInRoster: (): FaultRule => ({
    status: 403,
    body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } },
  }),
  conversationBlocked: (): FaultRule => ({
    status: 403,
    body: { error: { code: 'ConversationBlockedByUser', message: 'User blocked the conversation with the bot.' } },
  }),
  conversationNotFound: (): FaultRule => ({
    status: 404,
    body: { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } },
  }),
  botNotRegistered: (): FaultRule => ({
    status: 401,
    body: { error: { code: 'BotNotRegistered', message: 'The bot is not registered.' } },
  }),
  preconditionFailed: (): FaultRule => ({
    status: 412,
    body: { error: { code: 'PreconditionFailed', message: 'Conflict, try again.' } },
  }),
  tooLarge: (): FaultRule => ({
    status: 413,
    body: { error: { code: 'MessageSizeTooBig', message: 'Message size too large.' } },
  }),
  serverError: (status = 500): FaultRule => ({
    status,
    body: { error: { code: 'ServiceError', message: `Service error ${status}` } },
  }),
};

interface ActiveRule {
  rule: FaultRule;
  left: number;
  hits: RecordedRequest[];
}

interface Reply {
  status: number;
  body?: unknown;
}

const FIRST_ACTIVITY_ID = 1_700_000_000_000;

/** A running fake connector; create it with `startFakeConnector`. */
export class FakeConnector {
  readonly requests: RecordedRequest[] = [];
  private rules: ActiveRule[] = [];
  private nextActivity = FIRST_ACTIVITY_ID;
  private nextConversation = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Members per conversation (team or chat id), replacing `options.members` there. */
  private readonly rosters = new Map<string, ChannelAccountLike[]>();

  constructor(
    private readonly server: http.Server,
    /** Base URL to use as serviceUrl, with a trailing slash: `http://127.0.0.1:PORT/`. */
    readonly url: string,
    private readonly basePath: string,
    private readonly options: FakeConnectorOptions,
  ) {}

  /** Makes the next `rule.times` (default 1) requests matching `rule.match` get the rule's answer. */
  respondWith(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, left: rule.times ?? 1, hits: [] };
    this.rules.push(active);
    return {
      rule,
      hits: active.hits,
      remaining: () => active.left,
      cancel: () => {
        active.left = 0;
      },
    };
  }

  /** Who is in a team or chat: its member routes answer with these (Teams' roster of that conversation). */
  setMembers(conversationId: string, members: ChannelAccountLike[]): void {
    this.rosters.set(conversationId, members);
  }

  /** Requests that carry an activity (send, reply, update, create) to conversations starting with `prefix`. */
  activitiesTo(conversationIdPrefix = ''): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.activity !== undefined && r.conversationId !== undefined && r.conversationId.startsWith(conversationIdPrefix),
    );
  }

  /** Adaptive Card attachments of every request answered with success (optionally only those matching). */
  cards(match?: RequestMatcher): RecordedCard[] {
    return this.requests
      .filter((r) => r.activity !== undefined && isSuccess(r) && (match === undefined || matches(match, r)))
      .flatMap((request) =>
        (request.activity?.attachments ?? [])
          .filter((a) => a.contentType === ADAPTIVE_CARD_CONTENT_TYPE)
          .map((a) => ({
            content: a.content,
            conversationId: request.conversationId,
            activityId: request.activityId,
            route: request.route,
            request,
          })),
      );
  }

  /** Requests matching `predicate` (or a matcher). */
  find(match: RequestMatcher | ((r: RecordedRequest) => boolean)): RecordedRequest[] {
    const test = typeof match === 'function' ? match : (r: RecordedRequest) => matches(match, r);
    return this.requests.filter(test);
  }

  /** Resolves with the matching requests once at least `count` have been answered; rejects after `timeoutMs`. */
  waitForRequests(match: RequestMatcher | ((r: RecordedRequest) => boolean), count = 1, timeoutMs = 5000): Promise<RecordedRequest[]> {
    return waitFor(
      () => {
        const found = this.find(match).filter((r) => r.response !== undefined);
        return found.length >= count ? found : undefined;
      },
      {
        timeoutMs,
        intervalMs: 5,
        what: () => `${count} matching request(s) to the fake connector (got ${this.find(match).length} of ${this.requests.length})`,
      },
    );
  }

  /** Forgets recorded requests and pending rules (ids keep increasing, so they never repeat). */
  reset(): void {
    this.requests.length = 0;
    this.rules = [];
  }

  /** Stops the server, dropping open connections and pending delayed answers. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  /** @internal request entry point */
  handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): void {
    const pathname = (req.url ?? '/').split('?')[0];
    const method = (req.method ?? 'GET').toUpperCase();
    const request: RecordedRequest = {
      seq: this.requests.length + 1,
      method,
      path: pathname,
      route: 'unknown',
      headers: req.headers,
      body: parseBody(rawBody),
      receivedAt: Date.now(),
    };
    Object.assign(request, this.resolveRoute(method, pathname));
    if (request.conversationId !== undefined) request.channelId = request.conversationId.split(';messageid=')[0];
    if (request.route === 'createConversation') {
      request.activity = asActivity(field(request.body, 'activity'));
      const channelId = field(field(field(request.body, 'channelData'), 'channel'), 'id');
      if (typeof channelId === 'string') request.channelId = channelId;
    } else if (['sendToConversation', 'replyToActivity', 'updateActivity'].includes(request.route)) {
      request.activity = asActivity(request.body);
    }
    this.requests.push(request);

    const active = this.rules.find((r) => r.left > 0 && matches(r.rule.match ?? {}, request));
    if (active !== undefined) {
      active.left -= 1;
      active.hits.push(request);
    }
    const rule = active?.rule;
    const respond = (): void => {
      if (rule?.resetConnection) {
        request.response = { status: 0, body: undefined, headers: {}, injected: true, sentAt: Date.now() };
        req.socket.destroy();
        return;
      }
      if (rule?.status !== undefined) {
        this.send(res, request, { status: rule.status, body: rule.body }, rule.headers ?? {}, true);
        return;
      }
      this.send(res, request, this.answer(request), {}, false);
    };
    if (rule?.delayMs !== undefined && rule.delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        respond();
      }, rule.delayMs);
      this.timers.add(timer);
    } else {
      respond();
    }
  }

  private resolveRoute(
    method: string,
    pathname: string,
  ): Pick<RecordedRequest, 'route' | 'conversationId' | 'activityId' | 'urlActivityId'> {
    if (!pathname.startsWith(this.basePath)) return { route: 'unknown' };
    const segments = pathname
      .slice(this.basePath.length)
      .split('/')
      .filter((s) => s !== '');
    const decoded = segments.map(safeDecode);
    const [v3, kind, id, sub, subId, subSub] = decoded;
    if (v3 !== 'v3') return { route: 'unknown' };
    const n = decoded.length;
    if (kind === 'teams' && id !== undefined) {
      if (n === 3 && method === 'GET') return { route: 'getTeamDetails' };
      if (n === 4 && sub === 'conversations' && method === 'GET') return { route: 'getTeamChannels' };
      return { route: 'unknown' };
    }
    if (kind !== 'conversations') return { route: 'unknown' };
    if (n === 2) {
      if (method === 'POST') return { route: 'createConversation' };
      if (method === 'GET') return { route: 'getConversations' };
      return { route: 'unknown' };
    }
    const conversationId = id;
    if (n === 4 && sub === 'activities' && method === 'POST') return { route: 'sendToConversation', conversationId };
    if (n === 5 && sub === 'activities') {
      const urlActivityId = subId;
      if (method === 'POST') return { route: 'replyToActivity', conversationId, urlActivityId };
      if (method === 'PUT') return { route: 'updateActivity', conversationId, activityId: urlActivityId, urlActivityId };
      if (method === 'DELETE') return { route: 'deleteActivity', conversationId, activityId: urlActivityId, urlActivityId };
    }
    if (n === 6 && sub === 'activities' && subSub === 'members' && method === 'GET') {
      return { route: 'getActivityMembers', conversationId, urlActivityId: subId };
    }
    if (n === 4 && sub === 'members' && method === 'GET') return { route: 'getConversationMembers', conversationId };
    if (n === 5 && sub === 'members' && method === 'GET') return { route: 'getConversationMember', conversationId };
    if (n === 4 && sub === 'pagedmembers' && method === 'GET') return { route: 'getConversationPagedMembers', conversationId };
    return { route: 'unknown', conversationId };
  }

  /** The normal (successful) answer for a request; fills in ids the fake assigns. */
  private answer(request: RecordedRequest): Reply {
    const roster = request.conversationId === undefined ? undefined : this.rosters.get(request.conversationId);
    const members = roster ??
      this.options.members ?? [{ id: '29:fake-user', name: 'Fake User', aadObjectId: '00000000-0000-0000-0000-000000000001' }];
    switch (request.route) {
      case 'createConversation': {
        const activityId = this.newActivityId();
        const channelId = request.channelId;
        const isGroup = field(request.body, 'isGroup') === true;
        const conversationId =
          isGroup && channelId !== undefined ? `${channelId};messageid=${activityId}` : `a:fake-conversation-${this.nextConversation++}`;
        request.conversationId = conversationId;
        request.activityId = request.activity === undefined ? undefined : activityId;
        return { status: 201, body: { id: conversationId, activityId } };
      }
      case 'sendToConversation':
      case 'replyToActivity': {
        const id = this.newActivityId();
        request.activityId = id;
        return { status: 201, body: { id } };
      }
      case 'updateActivity':
        return { status: 200, body: { id: request.activityId } };
      case 'deleteActivity':
        return { status: 200 };
      case 'getConversations':
        return { status: 200, body: { conversations: [] } };
      case 'getConversationMembers':
      case 'getActivityMembers':
        return { status: 200, body: members };
      case 'getConversationMember': {
        const memberId = safeDecode(request.path.split('/').pop() ?? '');
        // Teams finds a member by its Bot Framework id (29:…) or its Entra object id.
        const member = members.find((m) => m.id === memberId || m.aadObjectId === memberId);
        return member === undefined
          ? { status: 404, body: { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found.' } } }
          : { status: 200, body: member };
      }
      case 'getConversationPagedMembers':
        return { status: 200, body: { members } };
      case 'getTeamDetails':
        return { status: 200, body: { id: safeDecode(request.path.split('/').pop() ?? ''), name: 'Fake team' } };
      case 'getTeamChannels':
        return { status: 200, body: { conversations: this.options.channels ?? [] } };
      case 'unknown':
        return {
          status: 404,
          body: { error: { code: 'NotFound', message: `fake connector has no route ${request.method} ${request.path}` } },
        };
    }
  }

  private send(res: http.ServerResponse, request: RecordedRequest, reply: Reply, headers: Record<string, string>, injected: boolean): void {
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    const allHeaders: Record<string, string> = {
      ...(text === '' ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
      ...headers,
    };
    request.response = { status: reply.status, body: reply.body, headers: allHeaders, injected, sentAt: Date.now() };
    res.writeHead(reply.status, allHeaders);
    res.end(text);
  }

  private newActivityId(): string {
    return String(this.nextActivity++);
  }
}

/** Starts a fake connector on 127.0.0.1 with a random port. */
export async function startFakeConnector(options: FakeConnectorOptions = {}): Promise<FakeConnector> {
  const basePath = normaliseBasePath(options.basePath ?? '/');
  let connector: FakeConnector | undefined = undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (connector === undefined) {
        res.writeHead(503).end();
        return;
      }
      connector.handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  connector = new FakeConnector(server, `http://127.0.0.1:${port}${basePath}`, basePath, options);
  return connector;
}

function matches(matcher: RequestMatcher, request: RecordedRequest): boolean {
  if (matcher.route !== undefined) {
    const routes = Array.isArray(matcher.route) ? matcher.route : [matcher.route];
    if (!routes.includes(request.route)) return false;
  }
  if (matcher.method !== undefined && matcher.method.toUpperCase() !== request.method) return false;
  if (matcher.channelId !== undefined && matcher.channelId !== request.channelId) return false;
  if (matcher.conversationId !== undefined) {
    const id = request.conversationId;
    if (id === undefined) return false;
    const want = matcher.conversationId;
    if (want instanceof RegExp) {
      if (!want.test(id)) return false;
    } else if (want.endsWith('*')) {
      if (!id.startsWith(want.slice(0, -1))) return false;
    } else if (id !== want) {
      return false;
    }
  }
  return matcher.predicate === undefined || matcher.predicate(request);
}

function isSuccess(request: RecordedRequest): boolean {
  return request.response !== undefined && request.response.status >= 200 && request.response.status < 300;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function asActivity(value: unknown): SentActivity | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as SentActivity) : undefined;
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return raw;
    throw error;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return segment;
    throw error;
  }
}

function normaliseBasePath(basePath: string): string {
  const trimmed = basePath.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}
