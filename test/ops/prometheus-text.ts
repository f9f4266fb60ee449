/**
 * A reader for the Prometheus text exposition format (version 0.0.4), enough for tests: families
 * with their HELP and TYPE, and every sample keyed by its name and label set. Labels are
 * normalised (sorted by name), so a key does not depend on the order prom-client prints them in.
 */

export interface MetricFamily {
  readonly name: string;
  help: string;
  type: string;
}

export interface Exposition {
  readonly families: ReadonlyMap<string, MetricFamily>;
  /** `name{a="1",b="2"}` (labels sorted) -> value. */
  readonly samples: ReadonlyMap<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const COMMENT = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(.*)$/;

export function parseExposition(text: string): Exposition {
  const families = new Map<string, MetricFamily>();
  const samples = new Map<string, number>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const comment = COMMENT.exec(line);
      if (!comment) continue;
      const [, kind, name = '', rest = ''] = comment;
      const family = families.get(name) ?? { name, help: '', type: 'untyped' };
      if (kind === 'HELP') family.help = rest;
      else family.type = rest;
      families.set(name, family);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample)
      throw new Error(`Expected a Prometheus sample line at line ${index + 1}, received ${JSON.stringify(line)}`);
    const [, name = '', labelText = '', rawValue = ''] = sample;
    // Prometheus parses values like Go's ParseFloat: "NaN" in any case (prom-client prints "Nan").
    const isNaNText = rawValue.toLowerCase() === 'nan';
    const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : isNaNText ? NaN : Number(rawValue);
    if (Number.isNaN(value) && !isNaNText) {
      throw new Error(`Expected a number as the value at line ${index + 1}, received ${JSON.stringify(rawValue)}`);
    }
    samples.set(
      sampleKey(
        name,
        Object.fromEntries([...labelText.matchAll(LABEL)].map(([, label = '', text = '']) => [label, text] as const)),
      ),
      value,
    );
  }
  return { families, samples };
}

export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** A sample's value, or undefined when the exposition has no such series. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return exposition.samples.get(sampleKey(name, labels));
}

/** A sample's value; throws, naming the series, when the exposition has no such series. */
export function requireValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const value = valueOf(exposition, name, labels);
  if (value === undefined) {
    throw new Error(`Expected the series ${sampleKey(name, labels)} in the exposition, it is missing`);
  }
  return value;
}

/**
 * How much a counter (or a histogram's _count, _sum, _bucket) grew from one scrape to the next.
 * The series must be in `after`; one missing from `before` had not been written yet and counts
 * from 0, as Prometheus treats a new series.
 */
export function counterDelta(
  before: Exposition,
  after: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  return requireValue(after, name, labels) - (valueOf(before, name, labels) ?? 0);
}

/** GET /metrics, checked to be Prometheus text, parsed. */
export async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`Expected GET /metrics to answer 200, received ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain; version=0.0.4')) {
    throw new Error(
      `Expected the Prometheus text content type (text/plain; version=0.0.4), received ${JSON.stringify(type)}`,
    );
  }
  return parseExposition(await response.text());
}
