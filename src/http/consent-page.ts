/**
 * The pages an admin sees around admin consent, one named builder per outcome. Every piece of text
 * is escaped when rendered; links are only our own paths.
 */
import { CONSENT_ROLE, type CallbackOutcome, type ConsentCheckFailure, type StateProblem } from '../auth/admin-consent';

/** `path`: one of our own paths; `url`: Microsoft's admin consent page, which we built (https only). */
type Inline = string | { code: string } | { link: string; path: string } | { link: string; url: string };
type Block = { p: Inline[] } | { ol: Inline[][] } | { ul: Inline[][] };

export interface ConsentPage {
  status: number;
  title: string;
  blocks: Block[];
}

const START_AGAIN: Inline[] = [
  'Start again from ',
  { link: 'the consent link', path: '/admin/consent' },
  ' (or the button on the klink card in Teams).',
];

/** 503: the operator has not configured what admin consent needs. */
export function consentUnavailablePage(problems: string[]): ConsentPage {
  return {
    status: 503,
    title: 'Admin consent is not set up on this service',
    blocks: [
      { p: ['The operator of this klink for Microsoft Teams service has to configure it first:'] },
      { ul: problems.map((problem) => [problem]) },
    ],
  };
}

/** 400: the `tenant` hint of the link is neither a tenant id nor a domain. */
export function badTenantHintPage(hint: string): ConsentPage {
  return {
    status: 400,
    title: 'This consent link names no valid tenant',
    blocks: [
      {
        p: [
          'The tenant in the link, ',
          { code: clip(hint, 100) },
          ', is neither a tenant id (GUID) nor a domain such as contoso.onmicrosoft.com.',
        ],
      },
      {
        p: [
          'Open ',
          { link: 'the consent link without a tenant', path: '/admin/consent' },
          ' and sign in with an administrator of your organisation.',
        ],
      },
    ],
  };
}

/** What an admin grants, shown before Microsoft's own consent page asks for the same. */
const GRANTED_PERMISSIONS: Inline[][] = [
  [
    { code: CONSENT_ROLE },
    ' (application permission of klink for Microsoft Teams itself): lets the bot post klink conversations in the Teams channels and chats that subscribe in your organisation. Microsoft shows it as "Let klink for Microsoft Teams work in this organisation". Only an administrator can grant it; it gives no access to your directory, mail, files or any other data.',
  ],
  [
    { code: 'User.Read' },
    ' (Microsoft Graph, delegated): "Sign in and read user profile". Microsoft requires at least one such permission on a consent page; the bot never calls Microsoft Graph.',
  ],
];

/** 200: what the admin is about to grant, and the link to Microsoft's admin consent page. */
export function consentStartPage(entraUrl: string): ConsentPage {
  return {
    status: 200,
    title: 'Allow klink for Microsoft Teams in your organisation',
    blocks: [
      {
        p: [
          "Sign in on Microsoft's page as an administrator of your organisation (Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator) and accept. You grant, for the whole organisation:",
        ],
      },
      { ul: GRANTED_PERMISSIONS },
      { p: [{ link: 'Continue to Microsoft', url: entraUrl }] },
      {
        p: [
          'The link works for 10 minutes, once, and only in this browser. To withdraw consent later, remove the app under Entra ID → Enterprise applications.',
        ],
      },
    ],
  };
}

const STATE_PROBLEMS: Record<StateProblem, string> = {
  missing: 'The answer from Microsoft carries no state, so it cannot be matched to a consent request from this service.',
  invalid: 'The answer from Microsoft carries a state this service did not issue. Nothing was recorded.',
  expired: 'The consent request expired (links are valid for 10 minutes). Nothing was recorded.',
  foreign:
    "This consent answer belongs to a consent request started in another browser (or this browser's cookie for it is gone). Only the browser that started it can complete it. Nothing was recorded.",
  replayed: 'This consent answer has already been used; each one is accepted once. Nothing more was recorded.',
};

/** 400: missing, forged, expired, foreign or replayed `state`. */
export function badStatePage(problem: StateProblem): ConsentPage {
  return { status: 400, title: 'This consent answer cannot be accepted', blocks: [{ p: [STATE_PROBLEMS[problem]] }, { p: START_AGAIN }] };
}

/** 400: a callback that is neither an error nor `admin_consent=True` with a tenant id. */
export function badCallbackPage(): ConsentPage {
  return {
    status: 400,
    title: 'This consent answer is incomplete',
    blocks: [
      { p: ["Microsoft's answer should say admin_consent=True and name the tenant (a GUID). Nothing was recorded."] },
      { p: START_AGAIN },
    ],
  };
}

/** 400: Entra answered with `error` (e.g. the admin declined). */
export function entraErrorPage(error: string, description: string | null, redirectUri: string): ConsentPage {
  const said: Block[] = description === null ? [] : [{ p: ['Microsoft Entra said: ', { code: description }] }];
  if (error === 'access_denied') {
    return {
      status: 400,
      title: 'Consent was declined',
      blocks: [
        {
          p: [
            'The administrator declined to grant consent, or cancelled. klink for Microsoft Teams stays unavailable in your organisation; nothing was recorded.',
          ],
        },
        ...said,
        { p: ['Changed your mind? ', ...START_AGAIN] },
      ],
    };
  }
  return {
    status: 400,
    title: 'Microsoft Entra reported an error',
    blocks: [
      { p: ['Consent was not granted: ', { code: error }, '. Nothing was recorded.'] },
      ...said,
      ...entraHint(description, redirectUri),
      { p: START_AGAIN },
    ],
  };
}

/** Operator hints for the Entra errors a misconfigured app registration causes. */
function entraHint(description: string | null, redirectUri: string): Block[] {
  if (description?.includes('AADSTS50011')) {
    return [{ p: ['For the operator: register this exact redirect URI (type Web) on the Entra app: ', { code: redirectUri }] }];
  }
  if (description?.includes('AADSTS50194') || description?.includes('AADSTS700016')) {
    return [
      {
        p: [
          'For the operator: the Entra app registration must be multi-tenant (sign-in audience AzureADMultipleOrgs) and BOT_ID must be its client id.',
        ],
      },
    ];
  }
  return [];
}

const NOT_CONFIRMED: Record<ConsentCheckFailure, { status: number; title: string; text: string }> = {
  not_consented: {
    status: 403,
    title: 'Consent could not be confirmed',
    text: 'Microsoft Entra would not issue this app a token in your tenant, which it does once admin consent is granted. If you have just granted it, Entra may need a minute: check again. Nothing was recorded.',
  },
  unavailable: {
    status: 502,
    title: 'Consent could not be confirmed right now',
    text: 'Microsoft Entra could not be reached to confirm the consent. Check again in a moment. Nothing was recorded.',
  },
  credentials_rejected: {
    status: 502,
    title: "Consent could not be confirmed: this service's credentials were refused",
    text: "Microsoft Entra refused the app credential of this service, which is a problem on the operator's side (BOT_PASSWORD or the certificate). Please tell the operator. Nothing was recorded.",
  },
  not_admin: {
    status: 403,
    title: 'Consent was not granted by an administrator',
    text: `klink for Microsoft Teams exists in your tenant, but its application permission ${CONSENT_ROLE} was not granted by an administrator there (a user's consent does not grant it). Ask an administrator to open the consent link and accept. If an administrator has just accepted, Entra may need a minute: check again. Nothing was recorded.`,
  },
  tenant_mismatch: {
    status: 403,
    title: 'Consent could not be confirmed',
    text: 'Microsoft Entra issued a token for a different tenant than the one in the answer. Nothing was recorded.',
  },
};

/** 403/502: the callback said yes but Entra does not confirm it. */
export function notConfirmedPage(outcome: Extract<CallbackOutcome, { kind: 'not_confirmed' }>): ConsentPage {
  const page = NOT_CONFIRMED[outcome.failure];
  const blocks: Block[] = [
    { p: [page.text] },
    { p: ['Tenant: ', { code: outcome.tenantId }, ...(outcome.code === null ? [] : ['; Entra error ', { code: outcome.code }])] },
  ];
  if (outcome.retry !== null)
    blocks.push({
      p: [{ link: 'Check again', path: outcome.retry.path }, ' (possible for 10 minutes, in this browser), or ', ...START_AGAIN],
    });
  return { status: page.status, title: page.title, blocks };
}

/** 200: consent confirmed and recorded; what to do next. */
export function grantedPage(outcome: Extract<CallbackOutcome, { kind: 'granted' }>): ConsentPage {
  return {
    status: 200,
    title: 'Admin consent granted',
    blocks: [
      { p: ['klink for Microsoft Teams may now work in your organisation (tenant ', { code: outcome.consent.tenantId }, ').'] },
      { p: ['Next:'] },
      {
        ol: [
          [
            "In Microsoft Teams, add the klink app: from your organisation's app catalogue if your Teams admin published it, or Apps → Manage your apps → Upload an app with the package from the operator.",
          ],
          [
            'Add it to a team, then in a channel type ',
            { code: '@klink subscribe whatsapp vip' },
            ' (any filters; ',
            { code: '@klink help' },
            ' lists them).',
          ],
          ['Matching klink messages then arrive in that channel as cards.'],
        ],
      },
      { p: ['To withdraw consent, remove the app under Entra ID → Enterprise applications and ask the operator to remove your tenant.'] },
    ],
  };
}

/** 429: too many checks with Entra right now; the same answer works again later. */
export function rateLimitedPage(retryAfterMs: number): ConsentPage {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return {
    status: 429,
    title: 'Too many consent checks right now',
    blocks: [
      {
        p: [
          `This service limits how often it checks consent with Microsoft Entra. Reload this page in ${minutes} minute${minutes === 1 ? '' : 's'}: the answer stays valid for 10 minutes after you started. Nothing was recorded.`,
        ],
      },
    ],
  };
}

/** The HTML document of a page. */
export function renderConsentPage(page: ConsentPage): string {
  const body = page.blocks.map(renderBlock).join('\n');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(page.title)}: klink for Microsoft Teams</title></head>` +
    `<body><h1>${escapeHtml(page.title)}</h1>\n${body}</body></html>`
  );
}

function renderBlock(block: Block): string {
  if ('p' in block) return `<p>${renderInline(block.p)}</p>`;
  const tag = 'ol' in block ? 'ol' : 'ul';
  const items = 'ol' in block ? block.ol : block.ul;
  return `<${tag}>${items.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${tag}>`;
}

function renderInline(parts: Inline[]): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return escapeHtml(part);
      if ('code' in part) return `<code>${escapeHtml(part.code)}</code>`;
      if ('url' in part) {
        if (!part.url.startsWith('https://')) throw new Error('consent page: an outside link must be https');
        return `<a href="${escapeHtml(part.url)}" rel="noreferrer">${escapeHtml(part.link)}</a>`;
      }
      // Only our own absolute paths: never a scheme (javascript:) or another host (//evil).
      if (!/^\/(?!\/)/.test(part.path)) throw new Error(`consent page: link to ${part.path} is not a local path`);
      return `<a href="${escapeHtml(part.path)}">${escapeHtml(part.link)}</a>`;
    })
    .join('');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
