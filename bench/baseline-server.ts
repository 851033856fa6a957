// The bare node:http baseline, run as a child process by the bench:
//   node --import tsx bench/baseline-server.ts ack|hold <port>
// ack:  a POST's JSON body is read and parsed, then answered 200 with a small JSON (P1, P6);
// hold: every GET is held open like a long-poll, answered after `timeout` seconds of its query
//       string (default 30) (P5).
// GET /ready answers at once in both modes. Binds to 127.0.0.1 only.
import http from 'node:http';

const mode = process.argv[2];
const port = Number(process.argv[3]);
if ((mode !== 'ack' && mode !== 'hold') || !Number.isInteger(port)) {
  process.stderr.write('usage: baseline-server.ts ack|hold <port>\n');
  process.exit(2);
}

let seq = 0;
const held = new Set<http.ServerResponse>();

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = http.createServer(
  { keepAliveTimeout: 72_000, requestTimeout: 30_000, headersTimeout: 10_000 },
  (req, res) => {
    if (req.url === '/ready') return json(res, 200, { status: 'ok' });
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return json(res, 400, { error: 'bad_json', message: 'body is not JSON' });
        }
        if (typeof parsed !== 'object' || parsed === null) {
          return json(res, 400, { error: 'bad_body', message: 'body is not an object' });
        }
        seq++;
        json(res, 200, { id: null, seq, replies: [] });
      });
      return;
    }
    if (mode === 'hold') {
      const timeout = new URL(req.url ?? '/', 'http://x').searchParams.get('timeout');
      const holdMs = timeout === null ? 30_000 : Math.min(30, Number(timeout)) * 1000;
      held.add(res);
      const timer = setTimeout(() => {
        held.delete(res);
        json(res, 200, { messages: [], last_id: 0 });
      }, holdMs);
      res.on('close', () => {
        clearTimeout(timer);
        held.delete(res);
      });
      return;
    }
    json(res, 200, { messages: [], last_id: 0 });
  },
);

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  for (const res of held) json(res, 200, { messages: [], last_id: 0 });
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
