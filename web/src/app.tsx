// The page: the login form until there is a session, then the chat.
import { ChatView } from './components/chat-view.js';
import { LoginForm } from './components/login-form.js';
import { token } from './state/model.js';

export function App() {
  return token.value === null ? <LoginForm /> : <ChatView />;
}
