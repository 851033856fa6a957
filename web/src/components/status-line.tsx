// The top line: connection state (with "retry now" while reconnecting; "(polling)" when the
// engine fell back from the event stream to long-polls), our nick and away state,
// whether this browser signs (/sign), the nick-list toggle for narrow screens, and sign-out.
import type { Signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { activeWindow, connection, myNick, pollMode } from '../state/model.js';
import { away, logout, retryNow } from '../state/session.js';
import { signingKind, signingOn } from '../state/signing.js';

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function StatusLine({ showNicks }: { showNicks: Signal<boolean> }) {
  const conn = connection.value;
  const now = useNow(conn.state === 'reconnecting');
  let text: string;
  switch (conn.state) {
    case 'connected':
      text = conn.transport === 'stream' ? 'connected' : 'connected (polling)';
      break;
    case 'reconnecting':
      text = `reconnecting in ${Math.max(0, Math.ceil((conn.retryAt - now) / 1000))} s (${conn.reason})`;
      break;
    case 'signed-out':
      text = 'signed out';
      break;
    default:
      text = 'connecting…';
  }
  const win = activeWindow.value;
  return (
    <header class="status">
      <span
        class={`conn conn-${conn.state}`}
        role="status"
        aria-live="polite"
        data-state={conn.state}
        data-transport={conn.state === 'connected' ? conn.transport : undefined}
        title={
          conn.state === 'connected'
            ? conn.transport === 'stream'
              ? 'live: messages arrive as a stream (Server-Sent Events)'
              : 'live by long-polling: a stream does not get through here'
            : undefined
        }
      >
        <span class="dot" aria-hidden="true" />
        {text}
      </span>
      {conn.state === 'reconnecting' && (
        <button type="button" class="link" onClick={retryNow}>
          Retry now
        </button>
      )}
      <span
        class="me"
        title={
          pollMode.value === 'shared'
            ? 'one connection shared by all tabs'
            : 'this tab polls on its own'
        }
      >
        {myNick.value}
        {away.value !== null && <span class="away"> (away)</span>}
      </span>
      {signingOn.value && (
        <span
          class="signing"
          data-signing={signingKind.value ?? 'on'}
          title={
            signingKind.value === 'raw'
              ? 'your messages are signed (key kept as raw bytes: this page has no WebCrypto Ed25519)'
              : 'your messages are signed with this browser’s key (/sign off stops)'
          }
        >
          signing
        </span>
      )}
      {win.kind === 'channel' && (
        <button
          type="button"
          class="nick-toggle"
          aria-expanded={showNicks.value}
          onClick={() => (showNicks.value = !showNicks.value)}
        >
          Nicks ({win.members.value.size})
        </button>
      )}
      <button type="button" class="logout" onClick={() => void logout()}>
        Log out
      </button>
    </header>
  );
}
