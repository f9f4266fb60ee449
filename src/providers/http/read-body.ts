import { bufferedBody } from './dispatcher-fetch.js';

/**
 * Reads a provider response body as JSON, refusing bodies over `maxBytes` so that a hostile or
 * broken provider cannot make us buffer without bound. Returns `undefined` for a body that is
 * empty, too large or not JSON; callers decide what that means. A body the dispatcher transport
 * already buffered (under its own cap) is used as it is; any other Response is read as a stream.
 */
export async function readJsonBody(response: Response, maxBytes: number): Promise<unknown> {
  const buffered = bufferedBody(response);
  const text =
    buffered === undefined
      ? await readTextBody(response, maxBytes)
      : buffered === null || buffered.length > maxBytes
        ? undefined
        : buffered.toString('utf8');
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readTextBody(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
