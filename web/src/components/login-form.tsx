// The login screen: nick, optional password, and a progress notice while the hashcash stamp is
// minted (docs/hashcash.md: creating a session costs a little work).
import { useSignal } from '@preact/signals';
import { ApiError } from '../../../src/shared/client.js';
import { MINT_WORKER_URL } from '../config.js';
import { signIn } from '../login/login.js';
import { stored } from '../state/persist.js';
import { signedIn, signOutReason } from '../state/session.js';

const NICK_PATTERN = '[A-Za-z\\[\\]\\\\`_\\^\\{\\|\\}][A-Za-z0-9\\[\\]\\\\`_\\^\\{\\|\\}\\-]{0,31}';

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 409) return 'That nick is in use. Pick another one.';
    if (err.code === 'invalid_credentials') return 'Wrong nick or password.';
    if (err.status === 429 && err.retryAfter)
      return `${err.message} (try again in ${err.retryAfter} s)`;
    return err.message;
  }
  if (err instanceof TypeError) return 'The server could not be reached.';
  return err instanceof Error ? err.message : String(err);
}

export function LoginForm() {
  const nick = useSignal(stored.lastNick() ?? '');
  const password = useSignal('');
  const busy = useSignal(false);
  const progress = useSignal<string | null>(null);
  const error = useSignal<string | null>(signOutReason.value);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    progress.value = 'Connecting…';
    try {
      const created = await signIn(nick.value.trim(), password.value, MINT_WORKER_URL, {
        minting: (tries, expected) => {
          progress.value = `Computing a proof-of-work stamp: ${tries.toLocaleString()} hashes tried (about ${expected.toLocaleString()} needed on average)…`;
        },
      });
      stored.setLastNick(created.nick);
      signedIn(created.token, created.nick);
    } catch (err) {
      error.value = describe(err);
    } finally {
      busy.value = false;
      progress.value = null;
    }
  };

  return (
    <main class="login">
      <form class="login-form" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">chat</h1>
        <p class="hint">
          IRC-style chat. Pick a nick; add a password to keep your nick and log in from other
          devices.
        </p>
        <label>
          Nick
          <input
            name="nick"
            autoComplete="username"
            required
            maxLength={32}
            pattern={NICK_PATTERN}
            title="Letters, digits and [ ] \ ` _ ^ { | } -, not starting with a digit or -"
            value={nick.value}
            onInput={(e) => (nick.value = e.currentTarget.value)}
            autoFocus
          />
        </label>
        <label>
          Password <span class="optional">(optional)</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            minLength={8}
            value={password.value}
            onInput={(e) => (password.value = e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy.value}>
          {busy.value ? 'Connecting…' : 'Connect'}
        </button>
        <p class="progress" role="status" aria-live="polite">
          {progress.value ?? ''}
        </p>
        {error.value && (
          <p class="error" role="alert">
            {error.value}
          </p>
        )}
      </form>
    </main>
  );
}
