// Raw TCP connections for the slow-connection and pile-up tests (reliability/README.md C2, F2): a client
// that sends what the test says, byte by byte if need be, and records when and how the server
// closed the connection and the status line it answered (408, 429…), if any.
import fs from 'node:fs';
import net from 'node:net';

export interface RawConn {
  socket: net.Socket;
  /** performance.now() when the connection was established */
  openedAt: number;
  /** performance.now() when the server ended or reset the connection; null while open */
  closedAt: number | null;
  /** 'end': the server sent FIN; 'reset': ECONNRESET/EPIPE; 'local': we closed it */
  closedHow: 'end' | 'reset' | 'local' | null;
  /** bytes received (only when reading) */
  bytesIn: number;
  /** the status of the first response line, if one arrived */
  status(): number | null;
  /** writes when still open; never throws */
  write(data: string | Buffer): void;
  /** closes from our side (not counted as a server close) */
  destroy(): void;
}

export interface OpenOptions {
  /**
   * false: never read from the socket (the slow reader): the kernel's receive buffer fills and the
   * server has to hold the rest. Default true: read and keep the first bytes for the status line.
   */
  read?: boolean;
  /** connect timeout in ms (default 5 s) */
  timeoutMs?: number;
}

/** Opens one connection to 127.0.0.1:port and resolves once it is established. */
export function openRaw(port: number, o: OpenOptions = {}): Promise<RawConn> {
  const read = o.read ?? true;
  return new Promise((resolve, reject) => {
    const socket = new net.Socket();
    // a paused socket never starts reading, so nothing leaves the kernel's receive buffer
    if (!read) socket.pause();
    let head = '';
    const conn: RawConn = {
      socket,
      openedAt: 0,
      closedAt: null,
      closedHow: null,
      bytesIn: 0,
      status() {
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
        return m ? Number(m[1]) : null;
      },
      write(data) {
        if (conn.closedAt !== null || socket.destroyed) return;
        socket.write(data, () => undefined);
      },
      destroy() {
        if (conn.closedAt === null) {
          conn.closedAt = performance.now();
          conn.closedHow = 'local';
        }
        socket.destroy();
      },
    };
    const closed = (how: 'end' | 'reset') => {
      if (conn.closedAt !== null) return;
      conn.closedAt = performance.now();
      conn.closedHow = how;
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${port}: timeout`));
    }, o.timeoutMs ?? 5_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      conn.openedAt = performance.now();
      resolve(conn);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (conn.openedAt === 0) {
        clearTimeout(timer);
        reject(err);
        return;
      }
      closed('reset');
    });
    socket.on('end', () => {
      closed('end');
      socket.end();
    });
    socket.on('close', () => closed('reset'));
    if (read) {
      socket.on('data', (d: Buffer) => {
        conn.bytesIn += d.length;
        if (head.length < 256) head += d.toString('latin1', 0, Math.min(d.length, 256));
      });
    }
    socket.setNoDelay(true);
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * Opens `n` connections, `batch` at a time (a burst of thousands overflows the listen backlog).
 * Stops early at `deadline`; answers what it opened and how many attempts failed.
 */
export async function openMany(
  port: number,
  n: number,
  o: OpenOptions & { batch?: number; deadline: number },
): Promise<{ conns: RawConn[]; failed: number; errors: Record<string, number> }> {
  const conns: RawConn[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  const batch = o.batch ?? 100;
  for (let i = 0; i < n && Date.now() < o.deadline; i += batch) {
    const size = Math.min(batch, n - i);
    const results = await Promise.allSettled(Array.from({ length: size }, () => openRaw(port, o)));
    for (const r of results) {
      if (r.status === 'fulfilled') conns.push(r.value);
      else {
        failed++;
        const code = (r.reason as NodeJS.ErrnoException).code ?? String(r.reason);
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  }
  return { conns, failed, errors };
}

/** Number of open file descriptors of a process (/proc/PID/fd). */
export function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** How many of a process's file descriptors are sockets (listening socket included). */
export function socketFds(pid: number): number {
  let n = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}
