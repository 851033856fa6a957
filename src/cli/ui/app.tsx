// The terminal UI (ink 6): topic bar, buffer list | scrollback | nick list, status line, input.
// State lives in the model (model.ts); this only draws it and turns keys into controller calls.
import { Box, Text, useInput, useStdout } from 'ink';
import TextInput from 'ink-text-input';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Controller } from '../controller.js';
import { cleanInput, complete, InputHistory } from '../input-helpers.js';
import type { ChatModel } from '../model.js';
import { BufferList, NickList, Scrollback, StatusLine, TopicBar } from './parts.js';

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
  const [input, setInput] = useState('');
  const history = useRef(new InputHistory()).current;
  // The line as last edited. ink-text-input hands onSubmit the value its key handler closed over,
  // which lags behind when Enter arrives before React re-registered that handler (keys typed
  // quickly while the process was busy): the ref is always current.
  const current = useRef('');
  const setLine = (value: string) => {
    current.current = value;
    setInput(value);
  };

  // One row short of the terminal: ink redraws a frame that fills the screen by clearing it.
  const height = Math.max(6, rows - 1);
  const middle = height - 3;
  const listWidth = Math.min(20, Math.max(10, Math.floor(columns / 6)));
  const buf = model.active;
  const showNicks = buf.kind === 'channel' && columns >= 80;
  const nickWidth = showNicks ? 16 : 0;

  useInput((_ch, key) => {
    // the model, not this render's `buf`: a key may come before the re-render of a switch
    const buf = model.active;
    if (key.pageUp) {
      const step = Math.max(1, middle - 2);
      if (buf.scroll + step >= buf.lines.length - middle) void controller.loadOlder(buf);
      model.scrollBy(buf, step);
    } else if (key.pageDown) {
      model.scrollBy(buf, -Math.max(1, middle - 2));
    } else if (key.upArrow) {
      setLine(history.up(current.current));
    } else if (key.downArrow) {
      setLine(history.down(current.current));
    } else if (key.tab && key.shift) {
      model.cycle(-1);
    } else if (key.tab) {
      if (current.current === '') model.cycle(1);
      else {
        const nicks = [...buf.members.values()].map((m) => m.nick);
        if (buf.kind === 'query') nicks.push(buf.name);
        const done = complete(current.current, nicks);
        if (done !== null) setLine(done);
      }
    } else if ((key.meta || key.ctrl) && (key.leftArrow || key.rightArrow)) {
      model.cycle(key.leftArrow ? -1 : 1);
    }
  });

  const submit = () => {
    const value = current.current;
    setLine('');
    history.push(value);
    model.scrollBy(model.active, -model.active.scroll);
    void controller.submit(value);
  };

  // Keys that arrive together (a paste, or typing while the process was busy) reach the input
  // as one string, Enter included: each line break ends a line to submit.
  const change = (value: string) => {
    if (!/[\r\n]/.test(value)) {
      setLine(cleanInput(value));
      return;
    }
    const lines = value.split(/\r\n|\r|\n/);
    const rest = lines.pop() ?? '';
    for (const line of lines) {
      current.current = cleanInput(line);
      submit();
    }
    setLine(cleanInput(rest));
  };

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
      <StatusLine model={model} width={columns} />
      <Box height={1}>
        <Text color="cyan">{'> '}</Text>
        <TextInput value={input} onChange={change} onSubmit={submit} />
      </Box>
    </Box>
  );
}
