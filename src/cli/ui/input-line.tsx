// The input line: the prompt and the window of the line editor that fits, with the cursor drawn
// in inverse video (ink hides the terminal's own cursor). The editor keeps the cursor in view.
import { Box, Text } from 'ink';
import type { EditorView } from '../line-editor.js';

export function InputLine({ view, width }: { view: EditorView; width: number }) {
  return (
    <Box height={1} width={width}>
      <Text color="cyan">{'> '}</Text>
      <Text wrap="truncate-end">
        {view.before}
        <Text inverse>{view.at === '' ? ' ' : view.at}</Text>
        {view.after}
      </Text>
    </Box>
  );
}

/** The status line's place while a long paste waits for Enter or Esc. */
export function PastePrompt({
  lines,
  target,
  width,
}: {
  lines: number;
  target: string;
  width: number;
}) {
  return (
    <Box width={width} height={1}>
      <Text color="yellow" wrap="truncate-end">
        {`Paste of ${lines} lines to ${target}: Enter sends them as one message, Esc cancels`}
      </Text>
    </Box>
  );
}
