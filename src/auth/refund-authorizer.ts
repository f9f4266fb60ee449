/**
 * Who may create refunds. Reads need no token; `createRefund` does:
 *
 * - With AUTH_JWKS_URL set: the caller's JWT, forwarded by the router as `Authorization: Bearer …`,
 *   verified against that JWKS (jose; AUTH_ISSUER and AUTH_AUDIENCE checked when set) and carrying
 *   the `refunds:write` scope in `scope` (space-separated) or `scp` (a list). Missing or invalid:
 *   UNAUTHENTICATED; without the scope: FORBIDDEN.
 * - Without it, in production (NODE_ENV=production): refund creation is disabled, FORBIDDEN.
 * - Without it elsewhere (the sandbox, development): anyone, as `anonymous`.
 *
 * The subgraph checks this itself although Apollo Router enforces `@requiresScopes` too: a gateway
 * that does not (the JavaScript gateway) or a direct call must not be able to refund.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { RequestRefusedError } from '../domain/errors.js';

export const REFUND_WRITE_SCOPE = 'refunds:write';

export interface AuthSettings {
  readonly jwksUrl: string | null;
  readonly issuer: string | null;
  readonly audience: string | null;
}

/** The caller of a mutation. */
export interface Caller {
  /** Scopes idempotency records: `<issuer>|<subject>`, or `anonymous`. */
  readonly id: string;
  /** The `sub` claim (or `anonymous`), for the audit log. */
  readonly actor: string;
}

export interface RefundAuthorizer {
  /** `open` (anyone), `jwt` (verified tokens), or `disabled` (production without AUTH_JWKS_URL). */
  readonly mode: 'open' | 'jwt' | 'disabled';
  /** The caller, or a RequestRefusedError (UNAUTHENTICATED / FORBIDDEN). */
  authorize(authorizationHeader: string | undefined): Promise<Caller>;
}

const ANONYMOUS: Caller = { id: 'anonymous', actor: 'anonymous' };

export function createRefundAuthorizer(settings: AuthSettings, isProduction: boolean): RefundAuthorizer {
  if (settings.jwksUrl === null) {
    if (isProduction) {
      return {
        mode: 'disabled',
        authorize: async () => {
          throw new RequestRefusedError('FORBIDDEN', 'refund creation is disabled: set AUTH_JWKS_URL');
        },
      };
    }
    return { mode: 'open', authorize: async () => ANONYMOUS };
  }
  // jose fetches the key set on first use, caches it, and refetches on an unknown `kid`.
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 2000 });
  return {
    mode: 'jwt',
    async authorize(header) {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
      if (token === undefined) {
        throw new RequestRefusedError(
          'UNAUTHENTICATED',
          'createRefund needs the caller\'s token: send "Authorization: Bearer <JWT>"',
        );
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          ...(settings.issuer === null ? {} : { issuer: settings.issuer }),
          ...(settings.audience === null ? {} : { audience: settings.audience }),
        }));
      } catch (error) {
        const reason = error instanceof joseErrors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
        throw new RequestRefusedError('UNAUTHENTICATED', `The bearer token could not be verified (${reason})`, {
          cause: error,
        });
      }
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new RequestRefusedError('UNAUTHENTICATED', 'The bearer token has no subject (sub claim)');
      }
      if (!scopesOf(payload).includes(REFUND_WRITE_SCOPE)) {
        throw new RequestRefusedError('FORBIDDEN', `createRefund needs the ${REFUND_WRITE_SCOPE} scope`);
      }
      return { id: `${payload.iss ?? ''}|${payload.sub}`, actor: payload.sub };
    },
  };
}

/** Scopes from `scope` (a space-separated string) and `scp` (a list, or a string). */
function scopesOf(payload: JWTPayload): string[] {
  const scopes: string[] = [];
  if (typeof payload.scope === 'string') scopes.push(...payload.scope.split(/\s+/));
  const scp = payload.scp;
  if (Array.isArray(scp)) scopes.push(...scp.filter((value): value is string => typeof value === 'string'));
  else if (typeof scp === 'string') scopes.push(...scp.split(/\s+/));
  return scopes;
}
