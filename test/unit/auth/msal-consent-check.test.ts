import assert from 'node:assert/strict';
import { ClientAuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { checkTokenTenant, classifyMsalError } from '../../../src/auth/msal-consent-check';
import { createLogger } from '../../../src/log';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER = '0b5f3c1e-1111-4222-8333-944444444444';
const log = createLogger('silent');

/** A JWT-shaped token with the given payload (the signature is not checked by design). */
function token(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

describe('MSAL consent check: the token', () => {
  it('confirms a token whose tid is the tenant asked for, with its app roles', () => {
    assert.deepEqual(checkTokenTenant(token({ tid: TENANT.toUpperCase(), roles: ['User.Read.All', 7] }), TENANT, log), {
      confirmed: true,
      tenantId: TENANT,
      roles: ['User.Read.All'],
    });
  });

  it('refuses a token for another tenant', () => {
    assert.deepEqual(checkTokenTenant(token({ tid: OTHER }), TENANT, log), { confirmed: false, failure: 'tenant_mismatch', code: null });
  });

  it('trusts the tenant authority when the token is opaque or has no tid', () => {
    for (const opaque of ['not-a-jwt', 'a.%%%.c', token({ aud: 'x' }), `${token({})}.extra`]) {
      assert.deepEqual(checkTokenTenant(opaque, TENANT, log), { confirmed: true, tenantId: TENANT, roles: [] }, opaque);
    }
  });
});

describe('MSAL consent check: errors', () => {
  const classify = (err: unknown) => classifyMsalError(err, TENANT, log);

  it('reads "no service principal in the tenant" as not consented, with the AADSTS code', () => {
    const err = new ServerError(
      'unauthorized_client',
      "Error(s): 700016 - Description: AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.",
      '',
      '700016',
      400,
    );
    assert.deepEqual(classify(err), { confirmed: false, failure: 'not_consented', code: 'AADSTS700016' });
    assert.deepEqual(classify(new InteractionRequiredAuthError('consent_required', 'AADSTS65001: consent')), {
      confirmed: false,
      failure: 'not_consented',
      code: 'AADSTS65001',
    });
  });

  it("reads a refused secret or certificate as the operator's problem", () => {
    const err = new ServerError('invalid_client', 'Description: AADSTS7000215: Invalid client secret provided.', '', '7000215', 401);
    assert.deepEqual(classify(err), { confirmed: false, failure: 'credentials_rejected', code: 'AADSTS7000215' });
  });

  it('reads server errors, network failures and foreign errors as unavailable', () => {
    assert.deepEqual(classify(new ServerError('temporarily_unavailable', 'Description: AADSTS90033: busy', '', '', 503)), {
      confirmed: false,
      failure: 'unavailable',
      code: 'AADSTS90033',
    });
    assert.deepEqual(classify(new ClientAuthError('network_error', 'ECONNREFUSED')), {
      confirmed: false,
      failure: 'unavailable',
      code: null,
    });
    assert.deepEqual(classify(new TypeError('boom')), { confirmed: false, failure: 'unavailable', code: null });
  });
});
