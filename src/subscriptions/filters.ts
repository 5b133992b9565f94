/**
 * The subscription filter model. All given kinds must match; several values of one kind mean
 * any of them. An empty list (or undefined flag) means "no constraint of this kind".
 */
export interface Filters {
  /** Raw klink channel types, lower case (`whatsapp`, `messenger`, …). */
  channels: string[];
  /** Contact carries one of the VIP tags. */
  vip: boolean;
  /** Contact carries any of these tags (compared case-insensitively). */
  tags: string[];
  /** Message text contains any of these (case-insensitive). */
  keywords: string[];
  direction: 'inbound' | 'outbound' | 'both';
  /** true: group rooms only; false: direct rooms only; undefined: both. */
  group?: boolean;
  /** true: AI agent rooms only; false: human rooms only; undefined: both. */
  ai?: boolean;
  /** room.unreadCount ≥ this. */
  minUnread?: number;
  rooms: string[];
  contacts: string[];
}

export function emptyFilters(): Filters {
  return { channels: [], vip: false, tags: [], keywords: [], direction: 'inbound', rooms: [], contacts: [] };
}

/**
 * A canonical form: lists sorted and de-duplicated, case folded where matching ignores case.
 * Two subscriptions with the same canonical form are the same subscription.
 */
export function canonicalFilters(filters: Filters): Filters {
  const fold = (values: string[]) => [...new Set(values.map((v) => v.toLowerCase()))].sort();
  const keep = (values: string[]) => [...new Set(values)].sort();
  const out: Filters = {
    channels: fold(filters.channels),
    vip: filters.vip,
    tags: fold(filters.tags),
    keywords: fold(filters.keywords),
    direction: filters.direction,
    rooms: keep(filters.rooms),
    contacts: keep(filters.contacts),
  };
  if (filters.group !== undefined) out.group = filters.group;
  if (filters.ai !== undefined) out.ai = filters.ai;
  if (filters.minUnread !== undefined) out.minUnread = filters.minUnread;
  return out;
}

/** The natural unique key of a subscription's filters within one conversation. */
export function filtersKey(filters: Filters): string {
  const c = canonicalFilters(filters);
  return JSON.stringify([
    c.channels,
    c.vip,
    c.tags,
    c.keywords,
    c.direction,
    c.group ?? null,
    c.ai ?? null,
    c.minUnread ?? null,
    c.rooms,
    c.contacts,
  ]);
}

/** Reads filters stored as JSON, merged over the defaults so older rows keep working. */
export function filtersFromJson(json: string): Filters {
  const parsed = JSON.parse(json) as Partial<Filters>;
  return canonicalFilters({ ...emptyFilters(), ...parsed });
}
