/**
 * node:http plumbing shared by the provider simulators: listening, the request log, base latency,
 * fault injection and JSON replies. A provider contract supplies only routing, auth, lookup and
 * its own error body shape. This toolkit imports nothing else of this repository.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultRegistry, type AppliedFault, type SimulatorHandle } from './fault-injection.js';
import { RequestLog } from './request-log.js';

export interface SimulatorRequest {
  method: string;
  /** The path without the query string, not decoded. */
  pathname: string;
  headers: IncomingHttpHeaders;
  /** The raw refund id path segment, or null when the path is not the refund route. */
  refundSegment: string | null;
  /** The decoded refund id; null when not the refund route or the segment is a bad escape. */
  refundId: string | null;
  /** The query string's parameters. */
  query: URLSearchParams;
  /** The JSON body, parsed; undefined when the body was empty or not JSON (see `rawBody`). */
  body: unknown;
  /** The body as received (UTF-8), '' when there was none. */
  rawBody: string;
  /** What faults and request counts are keyed by: the contract's `faultKey`, else the refund id. */
  faultKey: string | null;
}

export interface SimulatorResponse {
  status: number;
  /** Serialised as JSON. */
  body: unknown;
  headers?: Record<string, string>;
}

export interface ProviderContract {
  /** The undecoded refund id segment if `pathname` is the refund route, else null. */
  refundSegment(pathname: string): string | null;
  /** Auth, routing and lookup for a request that no fault intercepted. */
  handle(request: SimulatorRequest): SimulatorResponse | Promise<SimulatorResponse>;
  /** The provider's own error reply for a status (used by status and random faults). */
  errorResponse(status: number): SimulatorResponse;
  /**
   * The key faults and request counts use for a request, when it is not the refund id: e.g. the
   * payment a refund is being created for. Undefined or null: the refund id.
   */
  faultKey?(request: SimulatorRequest): string | null;
}

/** The largest request body a simulator reads; a refund creation is a few hundred bytes. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024;

export interface SimulatorListenOptions {
  host?: string;
  port?: number;
  latencyMs?: number;
  /** Appended to the origin to form `SimulatorHandle.url`. */
  basePath?: string;
}

/** Decodes a path segment; a malformed escape yields null instead of throwing URIError. */
export function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export async function startHttpSimulator(
  contract: ProviderContract,
  options: SimulatorListenOptions = {},
): Promise<SimulatorHandle> {
  const log = new RequestLog();
  const faults = new FaultRegistry();
  const timers = new Set<NodeJS.Timeout>();
  let baseLatencyMs = options.latencyMs ?? 0;
  let closed = false;
  /** Requests received and not yet answered (or abandoned), for the concurrency fault. */
  let inFlight = 0;
  const simulator: RunningSimulator = { contract, sleep: (ms) => droppableSleep(timers, ms), closed: () => closed };

  const handleRequest = async (
    exchange: Exchange,
    request: SimulatorRequest,
    othersInFlight: number,
  ): Promise<void> => {
    await simulator.sleep(baseLatencyMs);
    if (closed) return;
    const fault = faults.take(request.faultKey, Math.random, request.method);
    if (await answeredByFault(simulator, fault, exchange, request, othersInFlight)) return;
    const reply = await contract.handle(request);
    if (!closed) sendJson(exchange.res, exchange.answered, reply);
  };

  const server = createServer((req, res) => {
    const othersInFlight = inFlight;
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
    receiveRequest(contract, log, req, res, (exchange, request) => handleRequest(exchange, request, othersInFlight));
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const origin = `http://${urlHost(server.address() as AddressInfo)}`;

  return {
    url: origin + (options.basePath ?? ''),
    origin,
    get requests() {
      return log.records;
    },
    requestCount: (refundId, method) => log.count(refundId, method),
    responseCount: (status) => log.countByStatus(status),
    resetRequests: () => log.reset(),
    injectFault: (refundId, fault) => faults.inject(refundId, fault),
    clearFaults: () => faults.clear(),
    setLatency: (ms) => {
      if (!(ms >= 0)) throw new RangeError(`Latency must be a non-negative number of ms, received ${String(ms)}`);
      baseLatencyMs = ms;
    },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const stopped = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Idle keep-alive sockets and hung requests would otherwise hold server.close() open.
      server.closeAllConnections();
      return stopped;
    },
  };
}

/** One request and its response, with what records the status it was answered with. */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly answered: Answered;
}

/** What a request's handling shares with its simulator. */
interface RunningSimulator {
  readonly contract: ProviderContract;
  /** Resolves after `ms`, or never once the simulator closes. */
  sleep(ms: number): Promise<void>;
  closed(): boolean;
}

/**
 * A sleep that close() can drop: the timer is kept in `timers` until it fires, and a cleared one
 * never resolves, so the handler waiting on it simply never resumes. 0 ms or less resolves at once.
 */
function droppableSleep(timers: Set<NodeJS.Timeout>, ms: number): Promise<void> {
  return ms <= 0
    ? Promise.resolve()
    : new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      });
}

/**
 * Reads, parses and logs a request, then hands it to `handle`. A body over the limit or broken is
 * logged and answered with the provider's 400; a handler that throws, with the provider's 500.
 */
function receiveRequest(
  contract: ProviderContract,
  log: RequestLog,
  req: IncomingMessage,
  res: ServerResponse,
  handle: (exchange: Exchange, request: SimulatorRequest) => Promise<void>,
): void {
  readRequestBody(req)
    .then((rawBody) => {
      const request = parseRequest(contract, req, rawBody);
      // Recorded before latency, faults and auth: tests count provider calls from this log.
      const record = log.record(request.method, req.url ?? '/', request.faultKey, req.headers, request.body);
      const answered: Answered = (status) => log.answered(record, status);
      handle({ req, res, answered }, request).catch((error: unknown) => {
        // A simulator bug must surface as the provider's 500, not crash the test process.
        console.error('[simulator] unexpected error', error);
        if (!res.headersSent) sendJson(res, answered, contract.errorResponse(500));
      });
    })
    .catch(() => {
      // An over-long or broken request body: the provider's 400, recorded like any request.
      const record = log.record(req.method ?? 'GET', req.url ?? '/', null, req.headers);
      if (!res.headersSent) sendJson(res, (status) => log.answered(record, status), contract.errorResponse(400));
    });
}

/**
 * Plays a fault taken for a request. True when the fault answered the request or dropped it (hang,
 * reset, a lost response, or the simulator closed meanwhile); false when the contract answers it
 * (no fault, added latency, or a concurrency fault under its maximum).
 */
async function answeredByFault(
  simulator: RunningSimulator,
  fault: AppliedFault | undefined,
  { req, res, answered }: Exchange,
  request: SimulatorRequest,
  othersInFlight: number,
): Promise<boolean> {
  const { contract } = simulator;
  switch (fault?.kind) {
    case 'concurrency':
      if (othersInFlight >= fault.max) {
        const status = fault.status ?? 429;
        sendJson(res, answered, { ...contract.errorResponse(status), status });
        return true;
      }
      return false;
    case 'hang':
      return true;
    case 'reset':
      req.socket.resetAndDestroy();
      return true;
    case 'status': {
      const reply = contract.errorResponse(fault.status);
      const headers =
        fault.retryAfter === undefined ? reply.headers : { ...reply.headers, 'Retry-After': fault.retryAfter };
      sendJson(res, answered, { ...reply, status: fault.status, headers });
      return true;
    }
    case 'raw':
      send(res, answered, fault.status ?? 200, { 'Content-Type': fault.contentType }, fault.body);
      return true;
    case 'redirect':
      send(res, answered, fault.status ?? 302, { Location: fault.location }, '');
      return true;
    case 'latency':
      await simulator.sleep(fault.ms);
      return simulator.closed();
    case 'lose-response': {
      // The request takes effect first; only its answer is lost.
      await contract.handle(request);
      if (simulator.closed()) return true;
      if (fault.after === 'hang') return true;
      if (fault.after === 'reset') {
        req.socket.resetAndDestroy();
        return true;
      }
      sendJson(res, answered, { ...contract.errorResponse(fault.after), status: fault.after });
      return true;
    }
    case undefined:
      return false;
  }
}

/** Listens on `port` and `host`; rejects when the server cannot (e.g. the port is taken). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function parseRequest(contract: ProviderContract, req: IncomingMessage, rawBody: string): SimulatorRequest {
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const pathname = queryStart < 0 ? target : target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : target.slice(queryStart + 1));
  const refundSegment = contract.refundSegment(pathname);
  const refundId = refundSegment === null ? null : decodePathSegment(refundSegment);
  let body: unknown;
  try {
    body = rawBody.trim() === '' ? undefined : (JSON.parse(rawBody) as unknown);
  } catch {
    body = undefined;
  }
  const request = {
    method: req.method ?? 'GET',
    pathname,
    headers: req.headers,
    refundSegment,
    refundId,
    query,
    body,
    rawBody,
    faultKey: refundId ?? refundSegment,
  };
  request.faultKey = contract.faultKey?.(request) ?? request.faultKey;
  return request;
}

/** The whole request body as UTF-8, refusing more than MAX_REQUEST_BODY_BYTES. */
function readRequestBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new RangeError(`request body over ${MAX_REQUEST_BODY_BYTES} bytes`));
      } else {
        chunks.push(chunk);
      }
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** Records the status a request was answered with. */
type Answered = (status: number) => void;

function sendJson(res: ServerResponse, answered: Answered, reply: SimulatorResponse): void {
  const headers = { 'Content-Type': 'application/json', ...reply.headers };
  send(res, answered, reply.status, headers, JSON.stringify(reply.body));
}

function send(
  res: ServerResponse,
  answered: Answered,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  if (res.destroyed) return;
  answered(status);
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A host usable in a URL: wildcard binds are reached over loopback, IPv6 goes in brackets. */
function urlHost({ address, family, port }: AddressInfo): string {
  if (address === '0.0.0.0') return `127.0.0.1:${port}`;
  if (address === '::') return `[::1]:${port}`;
  return family === 'IPv6' ? `[${address}]:${port}` : `${address}:${port}`;
}
