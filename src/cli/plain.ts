// Plain line mode (docs/clients.md), for pipes and scripts: each input line is a command (`/…`) or a
// message to the current target (the channel last joined or the nick last /query'd); each event
// prints as `[HH:MM:SS] <target> <nick> text`, system events as `[HH:MM:SS] <target> *** text`.
// At end of input it waits until everything sent was acknowledged, prints what is queued by
// then, and exits without QUIT: the session and its saved token remain for the next run.
// Progress and connection trouble go to stderr, so stdout holds only the transcript.
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

export async function runPlain(opts: CliOptions, io: PlainIo): Promise<number> {
  const say = (text: string) => io.stderr.write(`chat-cli: ${text}\n`);
  let model: ChatModel | null = null;
  let controller: Controller | null = null;
  let signedOut: (code: number) => void = () => undefined;
  const ended = new Promise<number>((resolve) => (signedOut = resolve));
  const print = (routed: RoutedLine[]) => {
    const first = routed[0];
    if (!first) return;
    // one event shown in several buffers (QUIT, NICK) prints once, for no one target
    const target = routed.length > 1 || first.buffer.kind === 'server' ? '*' : first.buffer.name;
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
        signedOut(1);
      },
    },
  });
  try {
    try {
      await conn.open();
    } catch (err) {
      say(describe(err));
      return 1;
    }
    model = new ChatModel({ nick: conn.nick, serverName: conn.info.name, repliesTo: 'server' });
    model.onLines = print;
    let exitCode = 0;
    let quit: () => void = () => undefined;
    const quitted = new Promise<void>((resolve) => (quit = resolve));
    controller = new Controller(model, conn, {
      exit: (code) => {
        exitCode = code;
        quit();
      },
    });
    await bootstrap(model, conn, { members: false, history: false });
    const handler: BatchHandler = (batch, gap) => {
      if (gap) model!.gap();
      for (const { env, verdict } of batch) model!.ingest(env, verdict);
      conn.setNick(model!.nick);
    };
    conn.startPolling(handler);
    const inputDone = readInput(io.stdin, controller);
    const outcome = await Promise.race([
      inputDone.then(() => 'eof' as const),
      quitted.then(() => 'quit' as const),
      ended.then(() => 'signed-out' as const),
    ]);
    if (outcome === 'signed-out') return 1;
    if (outcome === 'eof') {
      await conn.idle();
      await conn.stopPolling();
      // what the server queued for us by now (our own messages, replies) completes the transcript
      await conn
        .drain(handler)
        .catch((err: unknown) => say(`could not read the last events: ${String(err)}`));
    }
    return exitCode;
  } finally {
    await conn.close();
  }
}

/** Feeds stdin's lines to the controller in order; resolves at end of input (after /quit, early). */
async function readInput(stdin: NodeJS.ReadableStream, controller: Controller): Promise<void> {
  const rl = readline.createInterface({ input: stdin, crlfDelay: Infinity, terminal: false });
  const sent: Promise<void>[] = [];
  for await (const line of rl) {
    if (controller.quitting) break;
    // submit() queues the command at once (sends keep their order); no need to wait for each
    sent.push(controller.submit(line));
  }
  rl.close();
  await Promise.allSettled(sent);
}
