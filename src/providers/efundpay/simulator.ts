/**
 * An efundpay (API v4, a Gr4vy copy) simulator: the documented "Get refund" contract over real
 * HTTP, for the credential-less sandbox and as the tests' backend (see docs/providers/efundpay.md).
 * `GET /v4/refunds/{refund_id}`, and `GET`/`POST /v4/transactions/{transaction_id}/refunds` (see
 * simulator-ledger.ts); errors use Gr4vy's flat `{"type":"error",...}` shape. Reading needs the
 * `transactions.read` scope, creating `transactions.write`. Faults and request counts of the
 * transaction routes are keyed by the transaction id.
 */
import type { KeyObject } from 'node:crypto';
import { errors as joseErrors, importSPKI, jwtVerify, type CryptoKey } from 'jose';
import type { SimulatorHandle } from '../../simulator-kit/fault-injection.js';
import { DEFAULT_SETTLE_MS } from '../../simulator-kit/settle.js';
import { withWebhooks } from '../../simulator-kit/webhook-handle.js';
import {
  decodePathSegment,
  startHttpSimulator,
  type SimulatorRequest,
  type SimulatorResponse,
} from '../../simulator-kit/http-simulator.js';
import type { SeededEfundpayRefund } from './seed.js';
import type { EfundpaySeedTransaction } from './seed-transactions.js';
import { EFUNDPAY_REFUND_ID } from './identity.js';
import { createEfundpaySimulatorWebhooks, type EfundpaySimulatorWebhookOptions } from './simulator-webhooks.js';
import { createEfundpayLedger, efundpayError, type EfundpayLedger } from './simulator-ledger.js';

export type { SeededEfundpayRefund } from './seed.js';

export interface EfundpaySimulatorOptions {
  /** The merchant account the credentials belong to; only its refunds are visible. */
  merchantAccountId: string;
  /** A static bearer value to accept. */
  apiKey?: string;
  /** Accept RS512 JWTs with this `kid`, signed by the private half of `publicKey` (PEM = SPKI). */
  jwt?: { keyId: string; publicKey: CryptoKey | KeyObject | string };
  /** Refunds with their owning account; defaults to `efundpaySeedRefunds`. */
  refunds?: readonly SeededEfundpayRefund[];
  /** Transactions with their owning account; defaults to `efundpaySeedTransactions`. */
  transactions?: readonly EfundpaySeedTransaction[];
  /** How long created refunds stay `processing` (default DEFAULT_SETTLE_MS). */
  settleMs?: number;
  latencyMs?: number;
  /**
   * Signed refund notifications when created refunds settle; none without. They go to the target
   * set on the handle (the sandbox's subgraph), not to each refund's `webhooks_url`.
   */
  webhooks?: EfundpaySimulatorWebhookOptions;
  host?: string;
  port?: number;
}

const REFUND_ROUTE = /^\/v4\/refunds\/([^/]+)$/;
const TRANSACTION_REFUNDS_ROUTE = /^\/v4\/transactions\/([^/]+)\/refunds$/;
const READ_SCOPE = 'transactions.read';
const WRITE_SCOPE = 'transactions.write';

export async function startEfundpaySimulator(options: EfundpaySimulatorOptions): Promise<SimulatorHandle> {
  if (options.apiKey === undefined && options.jwt === undefined) {
    throw new TypeError('efundpay simulator needs an apiKey, a jwt public key, or both');
  }
  const jwt = options.jwt && {
    keyId: options.jwt.keyId,
    key:
      typeof options.jwt.publicKey === 'string'
        ? await importSPKI(options.jwt.publicKey, 'RS512')
        : options.jwt.publicKey,
  };
  const ledger = createEfundpayLedger({
    ...(options.refunds ? { refunds: options.refunds } : {}),
    ...(options.transactions ? { transactions: options.transactions } : {}),
    ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
  });
  const webhooks =
    options.webhooks &&
    createEfundpaySimulatorWebhooks(options.webhooks, (id) => ledger.getRefund(id, options.merchantAccountId));

  /** A created refund's notification is sent when it settles. */
  const created = (reply: SimulatorResponse): SimulatorResponse => {
    const id = (reply.body as { id?: unknown }).id;
    if (webhooks && reply.status === 201 && typeof id === 'string')
      webhooks.sendWhenSettled(id, options.settleMs ?? DEFAULT_SETTLE_MS);
    return reply;
  };

  const authorize = createAuthorizer(options.apiKey, jwt);
  const handle = async (request: SimulatorRequest): Promise<SimulatorResponse> => {
    const access = await authenticate(request, authorize, options.merchantAccountId);
    if ('reply' in access) return access.reply;
    const { merchantAccountId } = access;

    const transactionSegment = TRANSACTION_REFUNDS_ROUTE.exec(request.pathname)?.[1];
    if (transactionSegment !== undefined && (request.method === 'POST' || request.method === 'GET')) {
      const transactionId = decodePathSegment(transactionSegment) ?? '';
      return request.method === 'POST'
        ? created(ledger.createRefund(transactionId, merchantAccountId, request.body))
        : ledger.listRefunds(transactionId, merchantAccountId, request.query);
    }
    if (request.method !== 'GET' || request.refundSegment === null) {
      return efundpayError(404, `No route for ${request.method} ${request.pathname}`);
    }
    return readRefund(ledger, request.refundId, merchantAccountId);
  };

  const started = await startHttpSimulator(
    {
      refundSegment: (pathname) => REFUND_ROUTE.exec(pathname)?.[1] ?? null,
      handle,
      errorResponse: (status) => efundpayError(status),
      faultKey: (request) => {
        const segment = TRANSACTION_REFUNDS_ROUTE.exec(request.pathname)?.[1];
        return segment === undefined ? null : (decodePathSegment(segment)?.toLowerCase() ?? null);
      },
    },
    { host: options.host, port: options.port, latencyMs: options.latencyMs, basePath: '/v4' },
  );
  return webhooks ? withWebhooks(started, webhooks.sender, webhooks.controls) : started;
}

/** Undefined when the bearer token grants `scope` on `merchantAccountId`, else the error reply. */
type Authorize = (token: string, merchantAccountId: string, scope: string) => Promise<SimulatorResponse | undefined>;

/** Accepts the static API key, or an RS512 JWT signed for `jwt.keyId` with the scope and account asked for. */
function createAuthorizer(
  apiKey: string | undefined,
  jwt: { readonly keyId: string; readonly key: CryptoKey | KeyObject } | undefined,
): Authorize {
  return async (token, merchantAccountId, scope) => {
    if (apiKey !== undefined && token === apiKey) return undefined;
    if (!jwt) return efundpayError(401, 'The bearer token is not a valid API key');
    try {
      const { payload, protectedHeader } = await jwtVerify(token, jwt.key, { algorithms: ['RS512'] });
      if (protectedHeader.kid !== jwt.keyId) {
        return efundpayError(401, `Unknown signing key id: ${String(protectedHeader.kid)}`);
      }
      if (payload.merchantId !== undefined && payload.merchantId !== merchantAccountId) {
        return efundpayError(401, `The token's merchantId does not match x-merchant-account-id '${merchantAccountId}'`);
      }
      const scopes = payload.scopes;
      if (!Array.isArray(scopes) || !scopes.includes(scope)) {
        return efundpayError(403, `The token is missing the required scope ${scope}`);
      }
      return undefined;
    } catch (error) {
      const reason = error instanceof joseErrors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
      return efundpayError(401, `The bearer token could not be verified (${reason})`);
    }
  };
}

/**
 * The merchant account a request acts for, once its bearer token grants the scope its method needs
 * on that account and the account is the simulator's; else the error reply, in efundpay's order.
 */
async function authenticate(
  request: SimulatorRequest,
  authorize: Authorize,
  servedAccountId: string,
): Promise<{ readonly merchantAccountId: string } | { readonly reply: SimulatorResponse }> {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined) return { reply: efundpayError(401, 'No valid API authentication found') };

  const merchantAccountId = singleHeader(request.headers['x-merchant-account-id']);
  if (!merchantAccountId) {
    return {
      reply: efundpayError(400, 'The x-merchant-account-id header is required', [
        {
          location: 'header',
          pointer: '/x-merchant-account-id',
          message: 'field required',
          type: 'value_error.missing',
        },
      ]),
    };
  }
  const authError = await authorize(token, merchantAccountId, request.method === 'POST' ? WRITE_SCOPE : READ_SCOPE);
  if (authError) return { reply: authError };
  if (merchantAccountId !== servedAccountId) {
    return {
      reply: efundpayError(403, `The credentials do not grant access to merchant account '${merchantAccountId}'`),
    };
  }
  return { merchantAccountId };
}

/** `GET /v4/refunds/{refund_id}`. */
function readRefund(ledger: EfundpayLedger, refundId: string | null, merchantAccountId: string): SimulatorResponse {
  if (refundId === null || !EFUNDPAY_REFUND_ID.test(refundId)) {
    return efundpayError(400, 'Request failed validation', [
      { location: 'path', pointer: '/refund_id', message: 'value is not a valid uuid', type: 'value_error' },
    ]);
  }
  const refund = ledger.getRefund(refundId, merchantAccountId);
  // Another account's refund is indistinguishable from a missing one.
  if (!refund) return efundpayError(404);
  return { status: 200, body: refund };
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
