/**
 * A stand-in GPU function origin for the faults suite, on 127.0.0.1, whose failure the suite switches at will:
 *
 * - `refuse`: every connection is dropped as soon as it opens (a function that is down).
 * - `gray`: `/readyz` and the model list answer as a healthy function's would, but a synthesis is accepted and never
 *   answered (a function whose engine is stuck while its HTTP thread lives: health probes cannot see it).
 * - `late`: as `gray`, but the synthesis answers 200 with bytes that are not audio after `lateMs` (past the
 *   gateway's deadline: they must never reach a client).
 * - `hang`: every request is accepted and never answered, `/readyz` included.
 *
 * It never checks signatures: it must not matter what it would have answered, only that it answers late or never.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ModelInfo } from '@gsv-edge/shared';

export type StandInMode = 'refuse' | 'gray' | 'late' | 'hang';

/** Bytes the `late` mode answers: recognisable, and not a RIFF file. */
export const LATE_BODY = new TextEncoder().encode('LATE-ANSWER-NOT-AUDIO');

export interface StandInOrigin {
  readonly url: string;
  mode: StandInMode;
  /** What its model list says (a real function's, so the gateway offers it syntheses). */
  readonly models: ModelInfo[];
  /** Milliseconds the `late` mode waits before answering. */
  lateMs: number;
  /** Requests seen by path since start (dropped connections are counted as `dropped`). */
  readonly seen: Map<string, number>;
  close(): Promise<void>;
}

export async function startStandInOrigin(): Promise<StandInOrigin> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const seen = new Map<string, number>();
  const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    count(path);
    // A connection kept alive from before the switch to `refuse` is dropped at its next request.
    if (origin.mode === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (origin.mode === 'hang') return;
    if (path === '/readyz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    if (path === '/internal/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: origin.models }));
      return;
    }
    if (origin.mode === 'late') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(LATE_BODY.length) }).end(LATE_BODY);
      }, origin.lateMs);
      timers.add(timer);
    }
    // gray: accepted, never answered.
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      handle(req, res);
    });
  });
  server.on('connection', (socket) => {
    if (origin.mode === 'refuse') {
      count('dropped');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin: StandInOrigin = {
    url: `http://127.0.0.1:${String(port)}`,
    mode: 'refuse',
    models: [],
    lateMs: 0,
    seen,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
  return origin;
}
