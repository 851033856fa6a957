// The terminal UI (ink 6): topic bar, buffer list | scrollback | nick list, status line, input.
// State lives in the model (model.ts); this only draws it and turns keys into controller calls.
// Keys are read from ink's raw input events, not useInput: useInput hands a run of several keys
// (fast typing, a burst of Backspace, a paste) over as one string, which lost or mangled them.
// key-decoder.ts splits every event into keys, applied in order to the line editor.
import { Box, Text, useApp, useStdin, useStdout } from 'ink';
import { useEffect, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { Controller } from '../controller.js';
import { cleanInput, complete, InputHistory } from '../input-helpers.js';
import { KeyDecoder, pasteLines, type Key } from '../key-decoder.js';
import { LineEditor } from '../line-editor.js';
import type { ChatModel } from '../model.js';
import { InputLine, PastePrompt } from './input-line.js';
import { bufferLabel, BufferList, NickList, Scrollback, StatusLine, TopicBar } from './parts.js';

/** A paste of more lines than this waits for Enter (irssi asks too). */
export const PASTE_CONFIRM_ABOVE = 5;

export interface AppProps {
  model: ChatModel;
  controller: Controller;
  /** fixed size (tests); otherwise the terminal's, following resizes */
  size?: { columns: number; rows: number };
}

function useTerminalSize(fixed?: { columns: number; rows: number }) {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  });
  return fixed ?? size;
}

export function App({ model, controller, size: fixedSize }: AppProps) {
  useSyncExternalStore(model.subscribe, model.getVersion);
  const { columns, rows } = useTerminalSize(fixedSize);
  const { exit } = useApp();
  const { internal_eventEmitter: events, setRawMode } = useStdin();
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  // The editor, history and decoder outlive renders; keys change them directly and then ask for
  // a redraw, so a key never sees a stale copy of the line.
  const [editor] = useState(() => new LineEditor());
  const [history] = useState(() => new InputHistory());
  const [decoder] = useState(() => new KeyDecoder());
  /** the lines of a long paste waiting for Enter or Esc */
  const pastePending = useRef<string[] | null>(null);

  // One row short of the terminal: ink redraws a frame that fills the screen by clearing it.
  const height = Math.max(6, rows - 1);
  const middle = height - 3;
  const listWidth = Math.min(20, Math.max(10, Math.floor(columns / 6)));
  const buf = model.active;
  const showNicks = buf.kind === 'channel' && columns >= 80;
  const nickWidth = showNicks ? 16 : 0;

  const scroll = (up: boolean) => {
    // the model, not this render's `buf`: a key may come before the re-render of a switch
    const b = model.active;
    const step = Math.max(1, middle - 2);
    if (!up) return model.scrollBy(b, -step);
    // the top of the buffer stops with a full page on screen, not with its first line alone
    const top = Math.max(0, b.lines.length - middle);
    if (b.scroll + step >= top) void controller.loadOlder(b);
    model.scrollBy(b, Math.max(0, Math.min(step, top - b.scroll)));
  };

  const submit = () => {
    const value = editor.text;
    editor.clear();
    history.push(value);
    model.scrollBy(model.active, -model.active.scroll);
    void controller.submit(value);
  };

  const sendPaste = (lines: string[]) => {
    pastePending.current = null;
    editor.clear();
    model.scrollBy(model.active, -model.active.scroll);
    void controller.sayLines(lines);
  };

  // A paste of one line is typed into the editor; several lines (with what the line held around
  // the cursor) become one multi-line message, sent at once or, when long, after Enter.
  const paste = (raw: string) => {
    const lines = pasteLines(raw).map(cleanInput);
    if (lines.length <= 1) return editor.insert(lines[0] ?? '');
    lines[0] = editor.beforeCursor + lines[0]!;
    lines[lines.length - 1] += editor.afterCursor;
    if (lines.length > PASTE_CONFIRM_ABOVE) pastePending.current = lines;
    else sendPaste(lines);
  };

  const completeAtCursor = () => {
    const b = model.active;
    const nicks = [...b.members.values()].map((m) => m.nick);
    if (b.kind === 'query') nicks.push(b.name);
    const done = complete(editor.beforeCursor, nicks);
    if (done !== null) editor.setBeforeCursor(done);
  };

  const press = (key: Key) => {
    if (pastePending.current) {
      if (key.type === 'enter') sendPaste(pastePending.current);
      else if (key.type === 'escape') pastePending.current = null;
      else if (key.type === 'interrupt') exit();
      return;
    }
    switch (key.type) {
      case 'text':
        return editor.insert(cleanInput(key.text));
      case 'paste':
        return paste(key.text);
      case 'enter':
        return submit();
      case 'backspace':
        return editor.backspace();
      case 'delete':
        return editor.delete();
      case 'left':
        return editor.left();
      case 'right':
        return editor.right();
      case 'home':
        return editor.home();
      case 'end':
        return editor.end();
      case 'word-left':
        return editor.wordLeft();
      case 'word-right':
        return editor.wordRight();
      case 'kill-before':
        return editor.killBefore();
      case 'kill-after':
        return editor.killAfter();
      case 'kill-word-before':
        return editor.killWordBefore();
      case 'kill-word-after':
        return editor.killWordAfter();
      case 'yank':
        return editor.yank();
      case 'up':
        return editor.set(history.up(editor.text));
      case 'down':
        return editor.set(history.down(editor.text));
      case 'tab':
        if (editor.text === '') model.cycle(1);
        else completeAtCursor();
        return;
      case 'shift-tab':
        return model.cycle(-1);
      case 'prev-buffer':
        return model.cycle(-1);
      case 'next-buffer':
        return model.cycle(1);
      case 'alt-digit':
        // Alt+1…9 are buffers 1–9, Alt+0 is 10; a missing one does nothing
        model.select(String(key.digit === 0 ? 10 : key.digit));
        return;
      case 'page-up':
        return scroll(true);
      case 'page-down':
        return scroll(false);
      case 'escape':
        return;
      case 'interrupt':
        return exit();
    }
  };
  // the input listener is registered once and calls the press of the latest render
  const pressRef = useRef(press);
  pressRef.current = press;

  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);
  useEffect(() => {
    const onInput = (data: string) => {
      for (const key of decoder.feed(data)) pressRef.current(key);
      redraw();
    };
    events.on('input', onInput);
    return () => void events.off('input', onInput);
  }, [events, decoder]);

  const waiting = pastePending.current;
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <TopicBar model={model} width={columns} />
      <Box flexDirection="row" height={middle}>
        <BufferList model={model} width={listWidth} height={middle} />
        <Box width={1} height={middle} flexShrink={0}>
          <Text dimColor>{'│\n'.repeat(middle).trimEnd()}</Text>
        </Box>
        <Scrollback buffer={buf} height={middle} />
        {showNicks ? <NickList buffer={buf} width={nickWidth} height={middle} /> : null}
      </Box>
      {waiting ? (
        <PastePrompt lines={waiting.length} target={bufferLabel(model, buf)} width={columns} />
      ) : (
        <StatusLine model={model} width={columns} />
      )}
      {/* the prompt takes 2 columns; the last column stays free so the line never wraps */}
      <InputLine view={editor.view(columns - 3)} width={columns} />
    </Box>
  );
}
