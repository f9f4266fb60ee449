/** The live-status settings (AppConfig's `live`): the poll of watched refunds and the WebSocket limits. */
export interface LiveSettings {
  /** A watched refund that is not final is re-read at least this often (LIVE_POLL_INTERVAL_S). */
  readonly pollIntervalMs: number;
  /** Subscriptions one WebSocket connection may hold at once (MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  readonly maxSubscriptionsPerConnection: number;
  /** WebSocket connections one process holds at most (MAX_WS_CONNECTIONS). */
  readonly maxConnections: number;
}
