/**
 * The Entra app's single sign-on for the klink tab, read from infra/ without a Bicep compiler (none
 * can be installed here): the access_as_user scope and v2 tokens from the first step, the
 * Application ID URI api://<host>/botid-<appId> — the audience the server accepts — and the two
 * Teams clients pre-authorized for that scope in the second step, which knows the appId. The check
 * runs on the real files and on broken copies, so each rule can fail.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TAB_SCOPE, applicationIdUri } from '../../../src/auth/tab-token';

const MODULES = path.resolve(__dirname, '../../../infra/modules');
const FIRST = 'entra-app.bicep';
const SECOND = 'entra-app-own-role.bicep';
const TEAMS_CLIENTS = ['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346'];

type Sources = Record<typeof FIRST | typeof SECOND, string>;

function readSources(): Sources {
  const read = (name: string) => fs.readFileSync(path.join(MODULES, name), 'utf8');
  return { [FIRST]: read(FIRST), [SECOND]: read(SECOND) };
}

/** The source without comments, each run of whitespace one space. */
function code(source: string): string {
  return source
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text of the balanced `{…}` or `[…]` that starts at the first match of `start` (which ends with the opening bracket). */
function block(text: string, start: RegExp): string | null {
  const match = start.exec(text);
  if (match === null) return null;
  const open = match.index + match[0].length - 1;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if ('{['.includes(text[i])) depth++;
    else if ('}]'.includes(text[i]) && --depth === 0) return text.slice(open, i + 1);
  }
  return null;
}

/** Every problem with the tab's single sign-on in the two steps of the Entra app. */
function checkTabSso(sources: Sources): string[] {
  const problems: string[] = [];
  const first = code(sources[FIRST]);
  const second = code(sources[SECOND]);

  const scope = block(first, /var tabScope = \{/);
  if (scope === null) return [`${FIRST}: no var tabScope`];
  if (!scope.includes(`value: '${TAB_SCOPE}'`)) problems.push(`${FIRST}: the scope's value is not ${TAB_SCOPE}`);
  if (!/id: guid\([^)]*\)/.test(scope) || /newGuid|utcNow/.test(scope))
    problems.push(`${FIRST}: the scope id is not a guid() of fixed values`);
  if (!scope.includes("type: 'User'") || !scope.includes('isEnabled: true'))
    problems.push(`${FIRST}: the scope is not an enabled scope users may consent to`);
  for (const key of ['adminConsentDisplayName', 'adminConsentDescription', 'userConsentDisplayName', 'userConsentDescription']) {
    if (!new RegExp(`${key}: '[^']{10,}'`).test(scope)) problems.push(`${FIRST}: the scope has no ${key}`);
  }

  for (const [name, text] of [
    [FIRST, first],
    [SECOND, second],
  ] as const) {
    const api = block(text, /resource app 'Microsoft\.Graph\/applications@v1\.0' = \{.*? api: \{/);
    if (api === null) {
      problems.push(`${name}: the app declares no api`);
      continue;
    }
    if (!api.includes('requestedAccessTokenVersion: 2')) problems.push(`${name}: api.requestedAccessTokenVersion is not 2`);
    if (!/oauth2PermissionScopes: \[ tabScope \]/.test(api)) problems.push(`${name}: api.oauth2PermissionScopes is not [tabScope]`);
    const preAuthorized = block(api, /preAuthorizedApplications: \[/);
    if (name === FIRST && preAuthorized !== null) {
      problems.push(`${FIRST}: pre-authorizes clients in the write that creates the scope (Entra refuses that)`);
    }
    if (name === SECOND) problems.push(...checkPreAuthorized(second, preAuthorized));
  }

  if (!/identifierUris: \[ applicationIdUri \]/.test(second)) problems.push(`${SECOND}: identifierUris is not [applicationIdUri]`);
  if (!second.includes("var applicationIdUri = 'api://${publicHost}/botid-${appId}'")) {
    problems.push(`${SECOND}: applicationIdUri is not 'api://\${publicHost}/botid-\${appId}'`);
  }
  if (!second.includes("var publicHost = split(publicUrl, '/')[2]")) problems.push(`${SECOND}: publicHost is not the host of publicUrl`);
  if (!/param tabScope object/.test(second) || !/tabScope: tabScope/.test(first)) {
    problems.push(`${SECOND}: does not get the scope from ${FIRST} (tabScope)`);
  }
  return problems;
}

function checkPreAuthorized(second: string, list: string | null): string[] {
  if (list === null) return [`${SECOND}: api.preAuthorizedApplications is not set`];
  const clients = [...list.matchAll(/\{ appId: (\w+) delegatedPermissionIds: \[ ([^\]]*) \] \}/g)];
  const ids = clients.map(([, variable]) => new RegExp(`var ${variable} = '([0-9a-f-]{36})'`).exec(second)?.[1] ?? variable);
  const problems: string[] = [];
  if (JSON.stringify(ids.sort()) !== JSON.stringify([...TEAMS_CLIENTS].sort())) {
    problems.push(`${SECOND}: pre-authorized clients are ${ids.join(', ') || 'none'}, not the Teams desktop/mobile and web clients`);
  }
  for (const [, variable, permissions] of clients) {
    if (permissions.trim() !== 'tabScope.id') problems.push(`${SECOND}: ${variable} is pre-authorized for ${permissions}, not tabScope.id`);
  }
  return problems;
}

describe('infra: single sign-on for the klink tab (Entra app)', () => {
  it('exposes access_as_user with v2 tokens, and in the second step the Application ID URI and the Teams clients', () => {
    assert.deepEqual(checkTabSso(readSources()), []);
  });

  it('names the same audience the server accepts for tab tokens', () => {
    const botId = '3f2b8c1e-7a4d-4e9b-b1c2-9d8e7f6a5b4c';
    const publicUrl = 'https://klink-teams-abc.azurewebsites.net';
    // What the template computes: 'api://${split(publicUrl, '/')[2]}/botid-${appId}'.
    const fromTemplate = `api://${publicUrl.split('/')[2]}/botid-${botId}`;
    assert.equal(fromTemplate, applicationIdUri(publicUrl, botId));
    assert.equal(
      `api://${'https://klink.example.com:8443'.split('/')[2]}/botid-${botId}`,
      applicationIdUri('https://klink.example.com:8443', botId),
    );
  });

  it('outputs the Application ID URI from the module and from main.bicep', () => {
    assert.match(code(readSources()[SECOND]), /output applicationIdUri string = applicationIdUri/);
    assert.match(code(readSources()[FIRST]), /output applicationIdUri string = ownRole\.outputs\.applicationIdUri/);
    const main = code(fs.readFileSync(path.join(MODULES, '..', 'main.bicep'), 'utf8'));
    assert.match(main, /output applicationIdUri string = entraApp\.outputs\.applicationIdUri/);
  });

  describe('the check catches mistakes', () => {
    const broken = (file: keyof Sources, from: string | RegExp, to: string): string[] => {
      const sources = readSources();
      const edited = sources[file].replace(from, to);
      assert.notEqual(edited, sources[file], `fixture edit did not apply: ${from}`);
      return checkTabSso({ ...sources, [file]: edited });
    };

    it('a scope id that changes on every deployment', () => {
      assert.match(broken(FIRST, /id: guid\([^)]*\)/, 'id: newGuid()').join('\n'), /scope id is not a guid\(\) of fixed values/);
    });

    it('a scope without consent texts, or with another name', () => {
      assert.match(broken(FIRST, /\n\s*userConsentDescription: '[^']*'/, '').join('\n'), /no userConsentDescription/);
      assert.match(broken(FIRST, "value: 'access_as_user'", "value: 'user_impersonation'").join('\n'), /value is not access_as_user/);
    });

    it('v1 tokens', () => {
      assert.match(
        broken(SECOND, 'requestedAccessTokenVersion: 2', 'requestedAccessTokenVersion: 1').join('\n'),
        /entra-app-own-role\.bicep: api\.requestedAccessTokenVersion is not 2/,
      );
      assert.match(
        broken(FIRST, 'requestedAccessTokenVersion: 2', 'requestedAccessTokenVersion: null').join('\n'),
        /entra-app\.bicep: api\.requestedAccessTokenVersion is not 2/,
      );
    });

    it('an Application ID URI the server would not accept', () => {
      assert.match(broken(SECOND, '/botid-${appId}', '/${appId}').join('\n'), /applicationIdUri is not/);
      assert.match(broken(SECOND, /identifierUris: \[\s*applicationIdUri\s*\]/, 'identifierUris: []').join('\n'), /identifierUris is not/);
    });

    it('a Teams client missing or pre-authorized for something else', () => {
      assert.match(
        broken(
          SECOND,
          "var teamsWebAppId = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346'",
          "var teamsWebAppId = '00000000-0000-0000-0000-000000000000'",
        ).join('\n'),
        /not the Teams desktop\/mobile and web clients/,
      );
      assert.match(
        broken(SECOND, /tabScope\.id(?![\s\S]*tabScope\.id)/, 'consentRole.id').join('\n'),
        /teamsWebAppId is pre-authorized for consentRole\.id/,
      );
    });

    it('pre-authorization in the first step, where the scope does not exist yet', () => {
      const problems = broken(
        FIRST,
        /oauth2PermissionScopes: \[\s*tabScope\s*\]/,
        "oauth2PermissionScopes: [\n      tabScope\n    ]\n    preAuthorizedApplications: [\n      {\n        appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264'\n        delegatedPermissionIds: [\n          tabScope.id\n        ]\n      }\n    ]",
      );
      assert.match(problems.join('\n'), /pre-authorizes clients in the write that creates the scope/);
    });
  });
});
