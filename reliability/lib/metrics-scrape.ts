// Reads one gauge from chatd's Prometheus endpoint (enable it with METRICS_USERNAME/PASSWORD).
// The event-loop delay percentiles come from prom-client's monitorEventLoopDelay histogram, which
// it resets at every scrape: a scrape before a window and one after give that window's p99.
import { call } from './http.js';

export const METRICS_ENV = { METRICS_USERNAME: 'rel', METRICS_PASSWORD: 'rel-metrics' };

export async function scrapeGauge(port: number, name: string): Promise<number | null> {
  const auth = Buffer.from(`${METRICS_ENV.METRICS_USERNAME}:${METRICS_ENV.METRICS_PASSWORD}`);
  const r = await call(port, 'GET', '/metrics', {
    headers: { authorization: `Basic ${auth.toString('base64')}` },
  });
  if (r.status !== 200) return null;
  const line = r.text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  const value = line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
  return Number.isFinite(value) ? value : null;
}

export const EVENT_LOOP_P99 = 'chatd_nodejs_eventloop_lag_p99_seconds';

/** One sample by its full series name, e.g. `chatd_irc_disconnects_total{reason="sendq_exceeded"}`. */
export async function scrapeSeries(port: number, series: string): Promise<number | null> {
  const auth = Buffer.from(`${METRICS_ENV.METRICS_USERNAME}:${METRICS_ENV.METRICS_PASSWORD}`);
  const r = await call(port, 'GET', '/metrics', {
    headers: { authorization: `Basic ${auth.toString('base64')}` },
  });
  if (r.status !== 200) return null;
  const line = r.text.split('\n').find((l) => l.startsWith(series + ' '));
  const value = line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  return Number.isFinite(value) ? value : null;
}
