// Connection registration (RFC 2812 §3.1, the Modern IRC documents, IRCv3 CAP and sasl-3.1): what
// a connection says before it is a client of a session. It collects CAP, NICK, USER, PASS and
// AUTHENTICATE, refuses everything else with 451, and once NICK and USER are in (and CAP END, if
// the client negotiated) it asks the core for a client: a login (SASL, or PASS as a fallback) or a
// new session (paid for by the address allowance or a `PASS hashcash:` stamp).
import type { Attached } from '../../protocol/core-contract.js';
import { ChatError } from '../../protocol/errors.js';
import type { SessionCreated } from '../../model/api.js';
import {
  handleCap,
  isEnabled,
  newCapState,
  type CapServer,
  type CapState,
} from './capabilities.js';
import { decodePlain, parsePass, SaslBuffer, type Login } from './credentials.js';
import { IRC_ERR, IRC_RPL, numeric, pong } from './irc-replies.js';
import type { IrcMessage, OutgoingMessage } from './line-codec.js';

export interface RegistrationHost {
  readonly server: CapServer;
  send(msg: OutgoingMessage): void;
  login(login: Login): Promise<Attached>;
  /** a new session; `realname` is USER's last parameter, as sent (the core sanitizes it) */
  createSession(
    nick: string,
    user: string,
    realname: string,
    stamp: string | null,
  ): Promise<SessionCreated>;
}

export type RegistrationKind = 'session' | 'login' | 'device' | 'resume';

export interface Registered {
  created: Attached;
  kind: RegistrationKind;
  caps: CapState;
}

/** What one line did: nothing final yet, a client now exists, or the connection must close. */
export type Step =
  | { kind: 'pending' }
  | { kind: 'registered'; registered: Registered }
  | { kind: 'close'; reason: string; quit: boolean };

const PENDING: Step = { kind: 'pending' };

export class Registration {
  private nick: string | null = null;
  private user: string | null = null;
  private realname = '';
  private pass: string | null = null;
  private caps: CapState = newCapState();
  private sasl: SaslBuffer | null = null;
  private loggedIn: { created: Attached; device: string | null } | null = null;

  constructor(private readonly host: RegistrationHost) {}

  /** The negotiated capabilities so far (the listener keeps them after registration). */
  get capState(): CapState {
    return this.caps;
  }

  async handle(msg: IrcMessage): Promise<Step> {
    const server = this.host.server.name;
    switch (msg.command) {
      case 'CAP': {
        const r = handleCap(this.caps, msg.params, null, this.host.server);
        this.caps = r.state;
        r.replies.forEach((m) => this.host.send(m));
        return this.tryComplete();
      }
      case 'NICK': {
        const nick = msg.params[0];
        if (!nick) {
          this.reply('431', [], 'No nickname given');
          return PENDING;
        }
        this.nick = nick;
        return this.tryComplete();
      }
      case 'USER': {
        if (this.user !== null) {
          this.reply(IRC_ERR.ALREADYREGISTERED, [], 'You may not reregister');
          return PENDING;
        }
        if (msg.params.length < 4 || msg.params[0] === '') {
          this.reply(IRC_ERR.NEEDMOREPARAMS, ['USER'], 'Not enough parameters');
          return PENDING;
        }
        this.user = msg.params[0]!;
        this.realname = msg.params[3] ?? '';
        return this.tryComplete();
      }
      case 'PASS': {
        if (!msg.params[0]) {
          this.reply(IRC_ERR.NEEDMOREPARAMS, ['PASS'], 'Not enough parameters');
          return PENDING;
        }
        this.pass = msg.params[0];
        return PENDING;
      }
      case 'AUTHENTICATE':
        await this.authenticate(msg.params[0] ?? '');
        return this.tryComplete();
      case 'PING':
        this.host.send(pong(server, msg.params[0] ?? ''));
        return PENDING;
      case 'PONG':
        return PENDING;
      case 'QUIT':
        return { kind: 'close', reason: 'Quit: ' + (msg.params[0] ?? ''), quit: true };
      default:
        this.reply(IRC_ERR.NOTREGISTERED, [], 'You have not registered');
        return PENDING;
    }
  }

  private reply(code: string, params: string[], text: string): void {
    this.host.send(numeric(this.host.server.name, code, this.nick, params, text));
  }

  private async authenticate(param: string): Promise<void> {
    if (!isEnabled(this.caps, 'sasl')) {
      this.reply(
        IRC_ERR.SASLFAIL,
        [],
        'SASL authentication failed: request the sasl capability first',
      );
      return;
    }
    if (this.loggedIn) {
      this.reply(IRC_ERR.SASLALREADY, [], 'You have already authenticated using SASL');
      return;
    }
    if (param === '*') {
      this.sasl = null;
      this.reply(IRC_ERR.SASLABORTED, [], 'SASL authentication aborted');
      return;
    }
    if (this.sasl === null) {
      if (param.toUpperCase() !== 'PLAIN') {
        this.reply(IRC_RPL.SASLMECHS, ['PLAIN'], 'are available SASL mechanisms');
        this.reply(IRC_ERR.SASLFAIL, [], 'SASL authentication failed');
        return;
      }
      this.sasl = new SaslBuffer();
      this.host.send({ command: 'AUTHENTICATE', params: ['+'] });
      return;
    }
    const got = this.sasl.add(param);
    if (got === 'more') return;
    this.sasl = null;
    if (got === 'too_long') {
      this.reply(IRC_ERR.SASLTOOLONG, [], 'SASL message too long');
      return;
    }
    const login = got === 'invalid' ? null : decodePlain(got);
    if (!login) {
      this.reply(IRC_ERR.SASLFAIL, [], 'SASL authentication failed: malformed PLAIN message');
      return;
    }
    try {
      const created = await this.host.login(login);
      this.loggedIn = { created, device: login.device };
      const mask = `${created.nick}!*@*`;
      this.reply(
        IRC_RPL.LOGGEDIN,
        [mask, created.nick],
        `You are now logged in as ${created.nick}`,
      );
      this.reply(IRC_RPL.SASLSUCCESS, [], 'SASL authentication successful');
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.reply(IRC_ERR.SASLFAIL, [], `SASL authentication failed: ${err.message}`);
    }
  }

  /** Registration completes once NICK and USER are in and no CAP or SASL exchange is open. */
  private async tryComplete(): Promise<Step> {
    if (this.nick === null || this.user === null || this.caps.suspended || this.sasl) {
      return PENDING;
    }
    if (this.loggedIn) {
      const { created, device } = this.loggedIn;
      return this.registered(
        created,
        device === null ? 'login' : created.resume ? 'resume' : 'device',
      );
    }
    if (this.pass !== null) {
      const how = parsePass(this.pass, this.nick);
      if (how.kind === 'login') return this.passLogin(how);
      return this.newSession(how.stamp);
    }
    return this.newSession(null);
  }

  private async passLogin(login: Login): Promise<Step> {
    try {
      const created = await this.host.login(login);
      const kind = login.device === null ? 'login' : created.resume ? 'resume' : 'device';
      return this.registered(created, kind);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.reply(IRC_ERR.PASSWDMISMATCH, [], 'Password incorrect');
      return { kind: 'close', reason: `Bad password (${err.message})`, quit: false };
    }
  }

  private async newSession(stamp: string | null): Promise<Step> {
    const nick = this.nick!;
    try {
      const created = await this.host.createSession(nick, this.user!, this.realname, stamp);
      return this.registered(created, 'session');
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      if (err.numeric) {
        // 432/433/435…: the client picks another nick and registration goes on
        this.nick = null;
        this.host.send(numeric(this.host.server.name, err.numeric, null, err.params, err.message));
        return PENDING;
      }
      return { kind: 'close', reason: err.message, quit: false };
    }
  }

  private registered(created: Attached, kind: RegistrationKind): Step {
    return { kind: 'registered', registered: { created, kind, caps: this.caps } };
  }
}
