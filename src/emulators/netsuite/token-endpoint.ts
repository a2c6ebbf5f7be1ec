import { randomBytes } from 'node:crypto';
import { errors, importSPKI, importX509, jwtVerify, type CryptoKey, type JWTHeaderParameters } from 'jose';
import type { NetSuiteCredentials } from './emulator-options.js';

// OAuth 2.0 client credentials (machine to machine): the client posts a JWT it signed with the private
// key of a certificate mapped to the integration. The JWT must name that certificate in `kid`, the
// integration's client id in `iss`, the token URL in `aud`, `rest_webservices` among its scopes, and
// live at most 60 minutes (`exp - iat`). The answer is an access token valid for 60 minutes. Refusals
// use OAuth's own error document (RFC 6749 section 5.2), which is what a token endpoint answers.

const ALGORITHMS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_SECONDS = 3600;
export const TOKEN_SECONDS = 3600;

export class TokenError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'unsupported_grant_type' | 'invalid_grant' | 'invalid_client',
    description: string,
  ) {
    super(description);
    this.name = 'TokenError';
  }

  body(): Record<string, string> {
    return { error: this.error, error_description: this.message };
  }
}

export interface IssuedToken {
  access_token: string;
  token_type: 'bearer';
  /** NetSuite sends the lifetime as text. */
  expires_in: string;
}

export class TokenIssuer {
  /** Access token -> its expiry, ms. */
  private readonly tokens = new Map<string, number>();
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(
    private readonly credentials: NetSuiteCredentials,
    private readonly now: () => number,
  ) {}

  private key(header: JWTHeaderParameters): Promise<CryptoKey> {
    const pem = header.kid === undefined ? undefined : this.credentials.certificates[header.kid];
    if (pem === undefined)
      throw new TokenError('invalid_grant', 'the kid names no certificate mapped to this integration');
    const cacheKey = `${header.kid}\u0000${header.alg}`;
    let key = this.keys.get(cacheKey);
    if (key === undefined) {
      key = pem.includes('BEGIN CERTIFICATE') ? importX509(pem, header.alg) : importSPKI(pem, header.alg);
      this.keys.set(cacheKey, key);
    }
    return key;
  }

  /** Answers a token request's form, or throws a TokenError. */
  async issue(form: URLSearchParams, tokenUrl: string): Promise<IssuedToken> {
    if (form.get('grant_type') !== 'client_credentials')
      throw new TokenError('unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE)
      throw new TokenError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    const assertion = form.get('client_assertion');
    if (!assertion) throw new TokenError('invalid_request', 'client_assertion is missing');
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, (header) => this.key(header), {
        algorithms: ALGORITHMS,
        issuer: this.credentials.clientId,
        audience: tokenUrl,
        requiredClaims: ['exp', 'iat'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      if (error instanceof TokenError) throw error;
      const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : String(error);
      throw new TokenError('invalid_grant', `the client assertion is refused (${reason})`);
    }
    const { exp = 0, iat = 0, scope } = payload;
    if (exp - iat > MAX_ASSERTION_SECONDS)
      throw new TokenError('invalid_grant', 'exp is more than 60 minutes after iat');
    const scopes = Array.isArray(scope) ? scope : typeof scope === 'string' ? scope.split(/[\s,]+/) : [];
    if (!scopes.includes('rest_webservices'))
      throw new TokenError('invalid_grant', 'scope must include rest_webservices');
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, this.now() + TOKEN_SECONDS * 1000);
    return { access_token: token, token_type: 'bearer', expires_in: String(TOKEN_SECONDS) };
  }

  /** Forgets every token issued, as revoking the integration's tokens does; answers how many there were. */
  revokeAll(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }

  /** Whether a bearer token was issued here and has not expired. */
  accepts(token: string): boolean {
    const expires = this.tokens.get(token);
    if (expires === undefined) return false;
    if (expires > this.now()) return true;
    this.tokens.delete(token);
    return false;
  }
}
