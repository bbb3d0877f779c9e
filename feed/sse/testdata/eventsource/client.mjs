// A WHATWG EventSource (the eventsource npm package) on a tickcast /sse URL,
// for feed/e2e_sse_eventsource_test.go. It writes one JSON object per line
// to stdout: every request it makes (with the Last-Event-ID it sends),
// open, error, and every event (type, lastEventId, data). It runs until
// stdin closes.
import { EventSource } from 'eventsource';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node client.mjs <url>\n');
  process.exit(2);
}
const out = (o) => process.stdout.write(JSON.stringify({ ...o, at: Date.now() }) + '\n');

const es = new EventSource(url, {
  fetch: (input, init) => {
    const h = init?.headers ?? {};
    out({ kind: 'request', lastEventId: h['Last-Event-ID'] ?? '' });
    return fetch(input, init);
  },
});
es.addEventListener('open', () => out({ kind: 'open' }));
es.addEventListener('error', (e) => out({ kind: 'error', message: String(e?.message ?? ''), code: e?.code ?? null }));
const types = ['trade', 'book', 'book_snapshot', 'quote', 'ticker', 'candle', 'reset'];
for (const t of types) {
  es.addEventListener(t, (ev) => out({ kind: 'event', type: ev.type, lastEventId: ev.lastEventId, data: ev.data }));
}
es.addEventListener('message', (ev) => out({ kind: 'event', type: 'message', lastEventId: ev.lastEventId, data: ev.data }));

process.stdin.on('end', () => {
  es.close();
  process.exit(0);
});
process.stdin.resume();
