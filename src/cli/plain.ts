// Plain line mode (docs/clients.md), for pipes and scripts: each input line is a command (`/…`) or
// a message to the current target (--to's, else the channel last joined or nick last /query'd);
// each event prints as `[HH:MM:SS] <target> <nick> text`, system events as
// `[HH:MM:SS] <target> *** text`.
// Lines are handled one after another; replies to commands print with target `*`, a JOIN's
// topic and names with the channel. At end of input it waits until everything sent was
// acknowledged, prints what is queued by then, and exits without QUIT: the session and its
// saved token remain for the next run. Errors (refusals, local ones), progress and connection
// trouble go to stderr, so stdout holds only the transcript; the arrival burst (welcome, MOTD)
// prints only with --verbose. A refused line makes the exit status 1 (EXIT below).
import readline from 'node:readline';
import { Connection, describe, type BatchHandler } from './connection.js';
import { Controller } from './controller.js';
import { plainLine } from './format.js';
import { ChatModel, type RoutedLine } from './model.js';
import type { CliOptions } from './options.js';
import { StateStore } from './state-store.js';
import { bootstrap } from './bootstrap.js';

export interface PlainIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stateDir: string;
}

/** Exit statuses of plain mode (docs/clients.md, chat-cli --help). */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

export async function runPlain(opts: CliOptions, io: PlainIo): Promise<number> {
  const say = (text: string) => io.stderr.write(`chat-cli: ${text}\n`);
  let model: ChatModel | null = null;
  let controller: Controller | null = null;
  let signedOut: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (signedOut = resolve));
  /** the input line being handled (1-based), named in its errors; 0 between lines */
  let lineNo = 0;
  const print = (routed: RoutedLine[]) => {
    const first = routed[0];
    if (!first) return;
    // the welcome burst and MOTD of a new session (a login's channel replay) are no news
    if (first.burst && !opts.verbose) return;
    // one event shown in several buffers (QUIT, NICK) prints once, for no one target
    const target = routed.length > 1 || first.buffer.kind === 'server' ? '*' : first.buffer.name;
    if (first.line.kind === 'error') {
      const where = [lineNo > 0 ? `line ${lineNo}` : '', target === '*' ? '' : target];
      say([...where.filter(Boolean), first.line.text].join(': '));
      return;
    }
    io.stdout.write(plainLine(target, first.line) + '\n');
  };
  const store = new StateStore(io.stateDir, opts.server, opts.nick);
  const conn = new Connection({
    server: opts.server,
    nick: opts.nick,
    password: opts.password,
    store,
    hooks: {
      onMint: (bits, tries) => {
        if (tries === 0) say(`minting a hashcash stamp (${bits} bits)…`);
      },
      onNote: say,
      onStatus: (state, detail) => {
        if (state === 'reconnecting') say(detail);
      },
      onKeyChanged: (nick) =>
        model?.note(
          `${nick} announced a new signing key; /trust ${nick} accepts it`,
          'error',
          model.server,
        ),
      onSignedOut: (reason) => {
        if (controller?.quitting) return;
        say(`signed out: ${reason}`);
        signedOut();
      },
    },
  });
  try {
    try {
      await conn.open();
    } catch (err) {
      say(describe(err));
      return EXIT.unreachable;
    }
    model = new ChatModel({ nick: conn.nick, serverName: conn.info.name, repliesTo: 'server' });
    model.onLines = print;
    let quit: () => void = () => undefined;
    const quitted = new Promise<void>((resolve) => (quit = resolve));
    // --to is for this run only: the target remembered for the next run stays as it was
    controller = new Controller(
      model,
      conn,
      { exit: () => quit() },
      { backlog: false, rememberTarget: opts.to === null },
    );
    await bootstrap(model, conn, {
      members: false,
      history: false,
      controller,
      ...(opts.to === null ? {} : { target: opts.to }),
    });
    const handler: BatchHandler = (batch, gap) => {
      if (gap) model!.gap();
      for (const { env, verdict } of batch) model!.ingest(env, verdict);
      conn.setNick(model!.nick);
    };
    conn.startPolling(handler);
    let refused = 0;
    const submit = async (line: string) => {
      if (!(await controller!.submit(line))) refused++;
    };
    // `--to #channel` joins it first when the session is not in it
    if (opts.to?.startsWith('#') && model.find(opts.to)?.joined !== true) {
      await submit(`/join ${opts.to}`);
    }
    const inputDone = readInput(io.stdin, controller, async (line, n) => {
      lineNo = n;
      await submit(line);
      lineNo = 0;
    });
    const outcome = await Promise.race([
      inputDone.then(() => 'eof' as const),
      quitted.then(() => 'quit' as const),
      ended.then(() => 'signed-out' as const),
    ]);
    if (outcome === 'signed-out') return EXIT.unreachable;
    if (outcome === 'eof') {
      await conn.idle();
      await conn.stopPolling();
      // what the server queued for us by now (our own messages, replies) completes the transcript
      await conn
        .drain(handler)
        .catch((err: unknown) => say(`could not read the last events: ${String(err)}`));
    }
    if (refused > 0) say(`${refused} line${refused === 1 ? ' was' : 's were'} refused`);
    return refused > 0 ? EXIT.refused : EXIT.ok;
  } finally {
    await conn.close();
  }
}

/**
 * Hands stdin's lines to `handle` one at a time, each after the previous one was answered, so
 * that replies and errors come out in input order (sends are sequential anyway); resolves at
 * end of input, or early after /quit.
 */
async function readInput(
  stdin: NodeJS.ReadableStream,
  controller: Controller,
  handle: (line: string, n: number) => Promise<void>,
): Promise<void> {
  const rl = readline.createInterface({ input: stdin, crlfDelay: Infinity, terminal: false });
  let n = 0;
  for await (const line of rl) {
    if (controller.quitting) break;
    await handle(line, ++n);
  }
  rl.close();
}
