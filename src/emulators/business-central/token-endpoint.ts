import { randomBytes, randomUUID } from 'node:crypto';
import type { BusinessCentralCredentials } from './emulator-options.js';

// Microsoft Entra ID's token endpoint for the client credentials grant, at
// `/<tenant>/oauth2/v2.0/token` as on login.microsoftonline.com: a form with `grant_type`
// client_credentials, `client_id`, `client_secret` and `scope` `https://api.businesscentral.dynamics.com/.default`.
// The answer is Entra's (`token_type`, `expires_in` as a number, `access_token`); a refusal is Entra's
// error document with its AADSTS code in the description and `error_codes`.

export const BC_SCOPE = 'https://api.businesscentral.dynamics.com/.default';
export const TOKEN_SECONDS = 3599;

export class TokenError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly aadsts: number,
    description: string,
  ) {
    super(description);
    this.name = 'TokenError';
  }

  body(now: Date): Record<string, unknown> {
    const trace = randomUUID();
    const correlation = randomUUID();
    const stamp = now
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    return {
      error: this.error,
      error_description: `AADSTS${this.aadsts}: ${this.message} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${stamp}`,
      error_codes: [this.aadsts],
      timestamp: stamp,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${this.aadsts}`,
    };
  }
}

export interface IssuedToken {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

interface Grant {
  tenant: string;
  expiresMs: number;
}

export class TokenIssuer {
  private readonly tokens = new Map<string, Grant>();

  constructor(
    private readonly credentials: BusinessCentralCredentials,
    private readonly now: () => number,
  ) {}

  /** Answers a token request for the tenant in the path, or throws a TokenError. */
  issue(tenant: string, form: URLSearchParams): IssuedToken {
    const { credentials } = this;
    if (tenant.toLowerCase() !== credentials.tenant.toLowerCase())
      throw new TokenError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    const grantType = form.get('grant_type');
    if (!grantType)
      throw new TokenError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    if (grantType !== 'client_credentials')
      throw new TokenError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    const clientId = form.get('client_id');
    if (!clientId)
      throw new TokenError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    if (clientId.toLowerCase() !== credentials.clientId.toLowerCase())
      throw new TokenError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    const secret = form.get('client_secret');
    if (!secret)
      throw new TokenError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    if (secret !== credentials.clientSecret)
      throw new TokenError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    const scope = form.get('scope') ?? '';
    if (!scope.endsWith('/.default'))
      throw new TokenError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    if (scope !== BC_SCOPE)
      throw new TokenError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${scope.slice(0, -'/.default'.length)} was not found in the tenant named ${tenant}.`,
      );
    const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, { tenant: credentials.tenant, expiresMs: this.now() + TOKEN_SECONDS * 1000 });
    return { token_type: 'Bearer', expires_in: TOKEN_SECONDS, ext_expires_in: TOKEN_SECONDS, access_token: token };
  }

  /** Whether a bearer token was issued here, for this tenant, and has not expired. */
  accepts(token: string, tenant: string): boolean {
    const grant = this.tokens.get(token);
    if (grant === undefined) return false;
    if (grant.expiresMs <= this.now()) {
      this.tokens.delete(token);
      return false;
    }
    return grant.tenant.toLowerCase() === tenant.toLowerCase();
  }

  /** Forgets every token issued (a rotated secret, a revoked consent); answers how many there were. */
  revokeAll(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }
}
