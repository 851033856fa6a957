// `Expect` headers (RFC 9110 §10.1.1), answered before Node's defaults: Node answers an unknown
// expectation with a bare 417 (no JSON, no nosniff) and invites any body with `100 Continue`, even
// one far over the body limit. Here an unknown expectation is a JSON 417, and a `100-continue`
// whose Content-Length is over MAX_BODY_BYTES gets its 413 at once instead of an invitation.
import type http from 'node:http';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function answer(res: http.ServerResponse, status: number, error: string, message: string): void {
  const body = JSON.stringify({ error, message });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(body);
}

export function answerExpectations(server: http.Server, handler: Handler, maxBody: number): void {
  server.on('checkExpectation', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    answer(res, 417, 'expectation_failed', 'the only Expect understood is 100-continue');
  });
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > maxBody) {
      answer(res, 413, 'body_too_large', 'request body is larger than the limit');
      return;
    }
    res.writeContinue();
    handler(req, res);
  });
}
