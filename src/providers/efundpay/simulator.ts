/**
 * An efundpay (API v4, a Gr4vy copy) simulator: the documented "Get refund" contract over real
 * HTTP, for the credential-less sandbox and as the tests' backend (see docs/providers/efundpay.md).
 * Only `GET /v4/refunds/{refund_id}` exists; errors use Gr4vy's flat `{"type":"error",...}` shape.
 */
import type { KeyObject } from 'node:crypto';
import { errors as joseErrors, importSPKI, jwtVerify, type CryptoKey } from 'jose';
import type { SimulatorHandle } from '../../simulator-kit/fault-injection.js';
import {
  startHttpSimulator,
  type SimulatorRequest,
  type SimulatorResponse,
} from '../../simulator-kit/http-simulator.js';
import { efundpaySeedRefunds, type SeededEfundpayRefund } from './seed.js';

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
  latencyMs?: number;
  host?: string;
  port?: number;
}

const REFUND_ROUTE = /^\/v4\/refunds\/([^/]+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READ_SCOPE = 'transactions.read';

/** Gr4vy's error code and default message per status. */
const ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: 'Request failed validation' },
  401: { code: 'unauthorized', message: 'No valid API authentication found' },
  403: { code: 'forbidden', message: 'Missing required scopes' },
  404: { code: 'not_found', message: 'The resource could not be found' },
  409: { code: 'duplicate_record', message: 'A record with these details already exists' },
  425: { code: 'too_early', message: 'The request was made too early' },
  429: { code: 'too_many_requests', message: 'Too many requests, please slow down' },
  500: { code: 'server_error', message: 'Request could not be processed' },
  502: { code: 'bad_gateway', message: 'Bad gateway' },
  503: { code: 'service_unavailable', message: 'Service temporarily unavailable' },
  504: { code: 'gateway_timeout', message: 'Request could not be processed in time' },
};

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
  const refunds = new Map(
    (options.refunds ?? efundpaySeedRefunds).map((seeded) => [seeded.refund.id.toLowerCase(), seeded]),
  );

  /** Undefined when the bearer token may read refunds of `merchantAccountId`, else the error reply. */
  const authorize = async (token: string, merchantAccountId: string): Promise<SimulatorResponse | undefined> => {
    if (options.apiKey !== undefined && token === options.apiKey) return undefined;
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
      if (!Array.isArray(scopes) || !scopes.includes(READ_SCOPE)) {
        return efundpayError(403, `The token is missing the required scope ${READ_SCOPE}`);
      }
      return undefined;
    } catch (error) {
      const reason = error instanceof joseErrors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
      return efundpayError(401, `The bearer token could not be verified (${reason})`);
    }
  };

  const handle = async (request: SimulatorRequest): Promise<SimulatorResponse> => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) return efundpayError(401, 'No valid API authentication found');

    const merchantAccountId = singleHeader(request.headers['x-merchant-account-id']);
    if (!merchantAccountId) {
      return efundpayError(400, 'The x-merchant-account-id header is required', [
        {
          location: 'header',
          pointer: '/x-merchant-account-id',
          message: 'field required',
          type: 'value_error.missing',
        },
      ]);
    }
    const authError = await authorize(token, merchantAccountId);
    if (authError) return authError;
    if (merchantAccountId !== options.merchantAccountId) {
      return efundpayError(403, `The credentials do not grant access to merchant account '${merchantAccountId}'`);
    }

    if (request.method !== 'GET' || request.refundSegment === null) {
      return efundpayError(404, `No route for ${request.method} ${request.pathname}`);
    }
    const refundId = request.refundId;
    if (refundId === null || !UUID.test(refundId)) {
      return efundpayError(400, 'Request failed validation', [
        { location: 'path', pointer: '/refund_id', message: 'value is not a valid uuid', type: 'value_error' },
      ]);
    }
    const seeded = refunds.get(refundId.toLowerCase());
    // Another account's refund is indistinguishable from a missing one.
    if (seeded?.merchantAccountId !== merchantAccountId) return efundpayError(404);
    return { status: 200, body: withGr4vyExtras(seeded) };
  };

  return startHttpSimulator(
    {
      refundSegment: (pathname) => REFUND_ROUTE.exec(pathname)?.[1] ?? null,
      handle,
      errorResponse: (status) => efundpayError(status),
    },
    { host: options.host, port: options.port, latencyMs: options.latencyMs, basePath: '/v4' },
  );
}

function efundpayError(status: number, message?: string, details: readonly object[] = []): SimulatorResponse {
  const known = ERRORS[status] ?? (status >= 500 ? ERRORS[500] : ERRORS[400]);
  return {
    status,
    body: { type: 'error', code: known?.code, status, message: message ?? known?.message, details },
  };
}

/** Fields real Gr4vy responses carry beyond the documented ten: clients must ignore them. */
function withGr4vyExtras({ merchantAccountId, refund }: SeededEfundpayRefund): Record<string, unknown> {
  return {
    ...refund,
    updated_at: refund.created_at,
    target_type: 'payment-method',
    target_id: null,
    reconciliation_id: refund.id.replaceAll('-', '').slice(0, 22),
    settled: refund.status === 'succeeded',
    error_code: refund.status === 'declined' ? 'refund_declined' : null,
    merchant_account_id: merchantAccountId,
  };
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
