// Entry point of the web client: mounts the app and connects to the shared poll engine.
import { render } from 'preact';
import { App } from './app.js';
import { POLL_WORKER_URL } from './config.js';
import { startActivity } from './notify/activity.js';
import { start } from './state/session.js';
import './styles.css';

// A page restored from the back/forward cache has lost its worker port: load it afresh.
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
  startActivity();
  start(POLL_WORKER_URL);
}
