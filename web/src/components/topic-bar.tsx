// The topic of the channel (or what the window is), as inert text with clickable links.
import type { ChatWindow } from '../state/model.js';
import { RichText } from './rich-text.js';

export function TopicBar({ win }: { win: ChatWindow }) {
  let content;
  if (win.kind === 'channel') {
    const topic = win.topic.value;
    content = topic ? <RichText text={topic} /> : <span class="none">No topic</span>;
  } else if (win.kind === 'query') {
    content = <span class="none">Private conversation with {win.name.value}</span>;
  } else {
    content = <span class="none">Server messages. Type /help for commands.</span>;
  }
  return (
    <div class="topic" data-testid="topic">
      {content}
    </div>
  );
}
