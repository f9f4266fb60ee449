/**
 * Who may call what needs a token (`createRefund` today). Refund reads by id need none:
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

/** Who is calling, once their token is verified (or `anonymous` where anyone may call). */
export interface Caller {
  /** Scopes idempotency records: `<issuer>|<subject>`, or `anonymous`. */
  readonly id: string;
  /** The `sub` claim (or `anonymous`), for the audit log. */
  readonly actor: string;
  /** The token's scopes; null where anyone may do anything (no AUTH_JWKS_URL outside production). */
  readonly scopes: ReadonlySet<string> | null;
}

/** What is being authorised, for the messages: the GraphQL field and the scope it needs. */
export interface Permission {
  readonly operation: string;
  readonly scope: string;
}

export interface RefundAuthorizer {
  /** `open` (anyone), `jwt` (verified tokens), or `disabled` (production without AUTH_JWKS_URL). */
  readonly mode: 'open' | 'jwt' | 'disabled';
  /** The verified caller, or a RequestRefusedError: UNAUTHENTICATED, or FORBIDDEN when disabled. */
  authenticate(authorizationHeader: string | undefined, permission: Permission): Promise<Caller>;
  /** Throws FORBIDDEN unless the caller holds the permission's scope. */
  requireScope(caller: Caller, permission: Permission): void;
}

const ANONYMOUS: Caller = { id: 'anonymous', actor: 'anonymous', scopes: null };

export function createRefundAuthorizer(settings: AuthSettings, isProduction: boolean): RefundAuthorizer {
  if (settings.jwksUrl === null) {
    if (isProduction) {
      return {
        mode: 'disabled',
        authenticate: async (_header, { operation }) => {
          throw new RequestRefusedError('FORBIDDEN', `${disabledWhat(operation)} is disabled: set AUTH_JWKS_URL`);
        },
        requireScope: () => undefined,
      };
    }
    return { mode: 'open', authenticate: async () => ANONYMOUS, requireScope: () => undefined };
  }
  // jose fetches the key set on first use, caches it, and refetches on an unknown `kid`.
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 2000 });
  return {
    mode: 'jwt',
    async authenticate(header, { operation }) {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
      if (token === undefined) {
        throw new RequestRefusedError(
          'UNAUTHENTICATED',
          `${operation} needs the caller's token: send "Authorization: Bearer <JWT>"`,
        );
      }
      const payload = await verify(token, keys, settings);
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new RequestRefusedError('UNAUTHENTICATED', 'The bearer token has no subject (sub claim)');
      }
      return { id: `${payload.iss ?? ''}|${payload.sub}`, actor: payload.sub, scopes: new Set(scopesOf(payload)) };
    },
    requireScope(caller, { operation, scope }) {
      if (caller.scopes !== null && !caller.scopes.has(scope)) {
        throw new RequestRefusedError('FORBIDDEN', `${operation} needs the ${scope} scope`);
      }
    },
  };
}

/** "refund creation" for createRefund, as the start notices and messages have always said it. */
function disabledWhat(operation: string): string {
  return operation === 'createRefund' ? 'refund creation' : operation;
}

async function verify(
  token: string,
  keys: ReturnType<typeof createRemoteJWKSet>,
  settings: AuthSettings,
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      ...(settings.issuer === null ? {} : { issuer: settings.issuer }),
      ...(settings.audience === null ? {} : { audience: settings.audience }),
    });
    return payload;
  } catch (error) {
    const reason = error instanceof joseErrors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
    throw new RequestRefusedError('UNAUTHENTICATED', `The bearer token could not be verified (${reason})`, {
      cause: error,
    });
  }
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
