// The terminal UI's runner: draws the ink app on the alternate screen (the shell's screen comes
// back on exit), opens the session while showing progress, then polls until Ctrl+C (the session
// stays, and the next start resumes it) or /quit (the session ends).
import { render } from 'ink';
import { bootstrap } from './bootstrap.js';
import { Connection, describe } from './connection.js';
import { Controller } from './controller.js';
import { ChatModel } from './model.js';
import type { CliOptions } from './options.js';
import { StateStore } from './state-store.js';
import { App } from './ui/app.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
// bracketed paste: the terminal marks pasted text, so a paste of lines is one message, not many
const PASTE_ON = '\x1b[?2004h';
const PASTE_OFF = '\x1b[?2004l';

export async function runTui(opts: CliOptions, stateDir: string): Promise<number> {
  const model = new ChatModel({ nick: opts.nick, serverName: new URL(opts.server).host });
  const store = new StateStore(stateDir, opts.server, opts.nick);
  let controller: Controller | null = null;
  const conn = new Connection({
    server: opts.server,
    nick: opts.nick,
    password: opts.password,
    store,
    hooks: {
      onStatus: (state, detail) => {
        model.connection = state;
        model.connectionDetail = detail;
        model.changed();
      },
      onLag: (ms) => {
        model.lagMs = ms;
        model.changed();
      },
      onNote: (text) => model.note(text, 'system', model.server),
      onKeyChanged: (nick) =>
        model.note(`${nick} announced a new signing key; /trust ${nick} accepts it`, 'error'),
      onSignedOut: (reason) => {
        if (controller?.quitting) return;
        model.note(
          `Signed out: ${reason}. Start chat-cli again for a new session.`,
          'error',
          model.server,
        );
      },
    },
  });
  let exitCode = 0;
  let failure = null as string | null;
  controller = new Controller(model, conn, {
    exit: (code) => {
      exitCode = code;
      app.unmount();
    },
  });
  process.stdout.write(ENTER_ALT_SCREEN + PASTE_ON);
  const app = render(<App model={model} controller={controller} />, { exitOnCtrlC: true });
  const stop = () => app.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  const started = (async () => {
    await conn.open();
    model.serverName = conn.info.name;
    model.nick = conn.nick;
    model.changed();
    if (conn.origin !== 'resumed') {
      model.note(
        `Connected to ${conn.info.name} as ${conn.nick}. /help lists the commands.`,
        'system',
        model.server,
      );
    }
    conn.startPolling((batch, gap) => {
      if (gap) model.gap();
      for (const { env, verdict } of batch) model.ingest(env, verdict);
      conn.setNick(model.nick);
    });
    conn.startPinging();
    await bootstrap(model, conn, { members: true, history: true, controller: controller });
  })().catch((err: unknown) => {
    failure = describe(err);
    app.unmount();
  });
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    process.stdout.write(PASTE_OFF + LEAVE_ALT_SCREEN);
  }
  await conn.close().catch(() => undefined);
  void started;
  if (failure !== null) {
    process.stderr.write(`chat-cli: ${failure}\n`);
    return 1;
  }
  return exitCode;
}
