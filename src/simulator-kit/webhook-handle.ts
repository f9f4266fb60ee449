/** A simulator handle with webhook controls (see webhook-sender.ts). */
import type { SimulatorHandle } from './fault-injection.js';
import type { SimulatorWebhooks, WebhookSender } from './webhook-sender.js';

/** The handle with its webhook controls; closing it cancels waiting deliveries first. */
export function withWebhooks(
  handle: SimulatorHandle,
  sender: WebhookSender,
  webhooks: SimulatorWebhooks,
): SimulatorHandle {
  return {
    url: handle.url,
    origin: handle.origin,
    get requests() {
      return handle.requests;
    },
    requestCount: (refundId, method) => handle.requestCount(refundId, method),
    responseCount: (status) => handle.responseCount(status),
    resetRequests: () => handle.resetRequests(),
    injectFault: (refundId, fault) => handle.injectFault(refundId, fault),
    clearFaults: () => handle.clearFaults(),
    setLatency: (ms) => handle.setLatency(ms),
    close: async () => {
      sender.close();
      await handle.close();
    },
    webhooks,
  };
}
