/**
 * `createRefund` end to end, provider-neutral: who is calling, is the input valid, has this key
 * been used, then (at most once per key) the provider, then the audit line. Provider failures stay
 * errors with their codes; a provider's refusal is a RefundRejected outcome.
 */
import type { Logger } from 'pino';
import type { CreateRefundInput } from '../../__generated__/schema-types.js';
import type { AuditOutcome, RefundAudit } from './refund-audit.js';
import {
  REFUND_WRITE_SCOPE,
  type Caller,
  type Permission,
  type RefundAuthorizer,
} from '../../auth/refund-authorizer.js';
import type {
  CreateRefundCommand,
  ProviderRefundRequest,
  RefundCreationOutcome,
} from '../../domain/refund-creation.js';
import type { RefundModel } from '../../domain/refund.js';
import type { IdempotencyRecords } from './idempotency-records.js';
import {
  idempotencyKeyHash,
  inputFingerprint,
  providerIdempotencyKey,
  type IdempotencyScope,
} from './idempotency-keys.js';
import { providerNotConfigured } from '../../providers/ids.js';
import type { ProviderCallObserver, ProviderClients, RefundProviderPort } from '../../providers/port.js';
import { validateCreateRefundInput } from './validate-input.js';

/** Who created a refund, for the ledger. */
export interface CreatedBy {
  readonly actor: string;
  readonly idempotencyKeyHash: string;
}

const CREATE_PERMISSION: Permission = { operation: 'createRefund', scope: REFUND_WRITE_SCOPE };

export interface RefundCreationOptions {
  readonly clients: ProviderClients;
  readonly authorizer: RefundAuthorizer;
  readonly records: IdempotencyRecords;
  readonly audit: RefundAudit;
  /**
   * Told about every refund a provider created or confirmed, before the answer goes back: the single
   * place where a new refund enters the refund cache and the ledger (with who created it).
   */
  readonly onRefundCreated?: (refund: RefundModel, facts: CreatedBy) => void | Promise<void>;
}

/** What one GraphQL request knows that refund creation needs. */
export interface RefundCreationRequest {
  readonly requestId: string;
  /** The `Authorization` header as received. */
  readonly authorization: string | undefined;
  readonly logger: Logger;
  readonly observe?: ProviderCallObserver;
}

export interface RefundCreation {
  create(input: CreateRefundInput, request: RefundCreationRequest): Promise<RefundCreationOutcome>;
}

export function createRefundCreation(options: RefundCreationOptions): RefundCreation {
  const { clients, authorizer, records, audit } = options;

  return {
    async create(input, request) {
      let caller: Caller | null = null;
      let command: CreateRefundCommand | null = null;
      const base = () => ({
        requestId: request.requestId,
        actor: caller?.actor ?? null,
        provider: input.provider,
        paymentId: command?.paymentId ?? null,
        amount: command?.amount ?? null,
        idempotencyKeyHash: idempotencyKeyHash(input.idempotencyKey),
      });
      try {
        // Authenticated first, so a FORBIDDEN attempt's audit line names who tried.
        caller = await authorizer.authenticate(request.authorization, CREATE_PERMISSION);
        authorizer.requireScope(caller, CREATE_PERMISSION);
        command = validateCreateRefundInput(input);
        const client = clients.get(command.provider);
        if (!client) throw providerNotConfigured(command.provider);
        const scope: IdempotencyScope = {
          provider: command.provider,
          account: client.account,
          caller: caller.id,
          key: input.idempotencyKey,
        };
        const createdBy: CreatedBy = {
          actor: caller.actor,
          idempotencyKeyHash: idempotencyKeyHash(input.idempotencyKey),
        };
        const ready = command;
        const { outcome, fromRecord } = await records.run(scope, inputFingerprint(ready), () =>
          createAtProvider(client, { ...ready, providerKey: providerIdempotencyKey(scope) }, createdBy, request),
        );
        audit.record({ ...base(), outcome: auditOutcome(outcome), replayed: fromRecord || isReplayed(outcome) });
        return outcome;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        audit.record({
          ...base(),
          outcome: { type: 'error', code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR' },
          replayed: false,
        });
        throw error;
      }
    },
  };

  /** The one provider call of a key (idempotency records run it at most once), and what follows a created refund. */
  async function createAtProvider(
    client: RefundProviderPort,
    providerRequest: ProviderRefundRequest,
    createdBy: CreatedBy,
    request: RefundCreationRequest,
  ): Promise<RefundCreationOutcome> {
    const answer = await client.createRefund(
      providerRequest,
      // No client signal: a refund POST is never abandoned half-way because the caller left.
      { requestId: request.requestId, ...(request.observe ? { observe: request.observe } : {}) },
    );
    if (answer.kind === 'rejected') {
      return { kind: 'RefundRejected', code: answer.code, message: answer.message, providerCode: answer.providerCode };
    }
    await tellCreated(answer.refund, createdBy, request.logger);
    return { kind: 'RefundCreated', refund: answer.refund, replayed: answer.existing };
  }

  async function tellCreated(refund: RefundModel, facts: CreatedBy, logger: Logger): Promise<void> {
    try {
      await options.onRefundCreated?.(refund, facts);
    } catch (error) {
      // The refund exists: never fail its answer for this. A cache that cannot take it only costs a
      // provider GET later; the ledger records it on its next read.
      logger.warn({ err: error }, 'a created refund could not enter the refund cache or the ledger');
    }
  }
}

function isReplayed(outcome: RefundCreationOutcome): boolean {
  return outcome.kind === 'RefundCreated' && outcome.replayed;
}

function auditOutcome(outcome: RefundCreationOutcome): AuditOutcome {
  return outcome.kind === 'RefundCreated'
    ? { type: 'created', refundId: outcome.refund.id }
    : { type: 'rejected', code: outcome.code, providerCode: outcome.providerCode };
}
