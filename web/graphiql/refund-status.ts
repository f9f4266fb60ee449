/**
 * Each refund status's colour, shared by the table's badges (analysts.css, `refund-status--*`)
 * and the chart's series. Colour is never the only signal: the badge and the legend always
 * carry the status's name.
 */
export const STATUS_COLOURS: Readonly<Record<string, string>> = {
  SUCCEEDED: '#1a7f37', // green
  PENDING: '#9a6700', // amber
  REQUIRES_ACTION: '#bc4c00', // orange
  FAILED: '#cf222e', // red
  CANCELED: '#6e7781', // grey
  UNKNOWN: '#8250df', // purple
};

/** Series colours for anything that is not a status (currencies, providers, reasons). */
export const SERIES_PALETTE: readonly string[] = [
  '#0969da',
  '#bf3989',
  '#1b7c83',
  '#953800',
  '#6639ba',
  '#4d2d00',
  '#0550ae',
  '#7d4e00',
];

/** The CSS class of a status badge; an unexpected value gets UNKNOWN's. */
export function statusClass(status: string): string {
  const known = status in STATUS_COLOURS ? status : 'UNKNOWN';
  return `refund-status refund-status--${known.toLowerCase().replace(/_/g, '-')}`;
}

/** `REQUIRES_ACTION` -> `Requires action`. */
export function statusLabel(status: string): string {
  const words = status.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
