/**
 * The machine's floor for the bench's CPU rows: a bare `node:http` server with nothing of the
 * subgraph in it, run as its own process with `npm start`'s node options. POST /graphql reads the
 * JSON body, parses it and answers `{"data":{"refund":…}}`: a fixed refund (REFERENCE_TARGET unset,
 * the floor of a warm operation), or the JSON body of one GET of REFERENCE_TARGET through an undici
 * Agent (the floor of a cold one: one inbound and one outbound HTTP exchange); with
 * REFERENCE_TARGETS, `{"data":{"refunds":[…]}}` from one GET of each at once (the floor of a cold
 * `refunds` of many). Any other request
 * answers 200 (the bench's readiness probe). Plain JavaScript, so the bench runs it without a build.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

/** Comma-separated provider URLs: each operation GETs them all at once and answers them as `refunds`. */
const targets = process.env.REFERENCE_TARGETS?.split(',') ?? [];
const target = process.env.REFERENCE_TARGET;
const authorization = process.env.REFERENCE_AUTHORIZATION ?? '';
const agent = new Agent({ connections: 256 });
const FIXED = {
  id: 'wooshpay:re_reference',
  provider: 'WOOSHPAY',
  status: 'SUCCEEDED',
  amount: { amountMinor: 1000, currency: 'USD', amount: '10.00' },
  createdAt: '2024-04-25T00:00:00.000Z',
};

const get = async (url) => {
  const response = await request(url, { dispatcher: agent, headers: { authorization } });
  return response.body.json();
};

const answer = async () => {
  if (targets.length > 0) return { refunds: await Promise.all(targets.map(get)) };
  return { refund: target ? await get(target) : FIXED };
};

createServer((req, res) => {
  if (req.method !== 'POST') {
    res.end('ok');
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    answer().then(
      (data) => {
        const body = JSON.stringify({ data });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
      (error) => {
        res.writeHead(502).end(String(error));
      },
    );
  });
}).listen(Number(process.env.PORT), process.env.HOST);
