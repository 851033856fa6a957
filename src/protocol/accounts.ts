// How sessions and clients come to be (docs/api.md, docs/sessions.md): anonymous sessions, registered ones (with a
// password from the start), and /login, which attaches one more client (device) to a session that
// has a password, or finds a named device's client again (devices.ts). Cheap checks run before
// expensive ones: nick syntax, password rules and the hashcash stamp before scrypt; the
// failed-login limits before the password is looked at; an account's MAX_CLIENTS and its
// allowance of successful logins before scrypt too.
import type { SessionCreated } from '../model/api.js';
import type { SessionRow, Tx } from '../store/store.js';
import { fold } from '../model/casefold.js';
import { Context } from './context.js';
import type { CoreEnv } from './environment.js';
import type { Dispatcher } from './dispatch.js';
import { ChatError, ircError } from './errors.js';
import { StoreConflict } from '../store/errors.js';
import { checkSessionStamp, spendSessionStamp } from './hashcash-check.js';
import { LoginLimiter } from './login-limits.js';
import { requireUsableNick, sessionUser } from './name-syntax.js';
import { ERR } from '../model/numerics.js';
import { hashPassword, requireAcceptablePassword, verifyPassword } from './passwords.js';
import { queueArrival } from './arrival.js';
import type { Attached, SessionOptions } from './core-contract.js';
import type { Caller, ReplyStyle } from '../model/envelope.js';
import { reattachDevice, requireDeviceName } from './devices.js';
import { hashToken, newToken } from './tokens.js';
import { sanitizeRealname } from './realname.js';

const invalidCredentials = () =>
  new ChatError({
    code: 'invalid_credentials',
    message: 'unknown nick or wrong password',
    facts: { authScheme: 'bearer' },
  });

export class Accounts {
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly env: CoreEnv,
    private readonly dispatcher: Dispatcher,
  ) {
    this.limiter = new LoginLimiter(env.settings.loginLimits);
  }

  /**
   * POST /session and /register: a new session with one client and its welcome burst. A
   * transport that charged its own allowance (IRC) waives the stamp.
   */
  async createSession(
    nick: string,
    password: string | null,
    stamp?: string,
    options: SessionOptions = {},
  ) {
    requireUsableNick(nick, this.env.settings);
    if (password !== null) requireAcceptablePassword(password);
    const waived = options.hashcashWaived === true;
    if (!waived) checkSessionStamp(this.env, stamp);
    // A taken nick is refused before paying for scrypt (it is checked again in the transaction).
    if (password !== null && (await this.env.store.getSessionByNick(fold(nick)))) {
      throw ircError(ERR.NICKNAMEINUSE, [nick]);
    }
    const passwordHash = password === null ? null : await hashPassword(password);
    const token = newToken();
    const now = this.env.now();
    const done = await this.env.store.transaction(async (tx) => {
      if (!waived) await spendSessionStamp(this.env, tx, stamp);
      let session: SessionRow;
      try {
        session = await tx.createSession({
          nick,
          nickFolded: fold(nick),
          user: sessionUser(nick, options.user),
          passwordHash,
          modes: 'i',
          createdAt: now,
          realname: sanitizeRealname(options.realname, nick),
          // a session registered with a password is an account named after its first nick
          account: password === null ? null : nick,
        });
      } catch (err) {
        if (err instanceof StoreConflict) throw ircError(ERR.NICKNAMEINUSE, [nick]);
        throw err;
      }
      const parent = new Context(this.env, tx, session, 0);
      parent.style = options.style ?? {};
      return this.attachClient(tx, session, token, parent, null);
    });
    await this.dispatcher.publish(done.out.wake);
    return done.created;
  }

  /** POST /login: one more client on a session with a password (`address` for the limits). */
  login(
    nick: string,
    password: string,
    address: string,
    style?: ReplyStyle,
  ): Promise<SessionCreated> {
    return this.logIn(nick, password, address, null, style);
  }

  /** As login, as a named device: its client is reused when it exists (devices.ts). */
  async loginDevice(
    nick: string,
    password: string,
    address: string,
    device: string,
    style?: ReplyStyle,
  ): Promise<Attached> {
    // a malformed request guessed nothing: refused before it counts as an attempt
    requireDeviceName(device);
    return this.logIn(nick, password, address, device, style);
  }

  private async logIn(
    nick: string,
    password: string,
    address: string,
    device: string | null,
    style: ReplyStyle | undefined,
  ): Promise<Attached> {
    const nickKey = fold(nick);
    this.limiter.begin(nickKey, address, this.env.now());
    const session = await this.env.store.getSessionByNick(nickKey);
    // An account that cannot take one more login is refused before scrypt: such an attempt
    // guessed nothing, so it is no failure.
    const account = session?.passwordHash ? session : null;
    if (account) {
      try {
        await this.requireRoom(account.id, device);
        this.limiter.claimLogin(account.id, this.env.now());
      } catch (err) {
        this.limiter.release(nickKey, address, this.env.now());
        throw err;
      }
    }
    let attached = false;
    try {
      // Same work for an unknown nick, a session without a password and a wrong password.
      const ok = await verifyPassword(password, session?.passwordHash ?? null);
      if (!ok || !account) throw invalidCredentials();
      this.limiter.release(nickKey, address, this.env.now());
      const created = await this.attachByLogin(account, device, style);
      attached = true;
      return created;
    } finally {
      if (account && !attached) this.limiter.unclaim(account.id, this.env.now());
    }
  }

  /**
   * 403 at MAX_CLIENTS: cheap, so it comes before the password is hashed (and again inside the
   * transaction, where it is exact). A device that already has its client takes no new room.
   */
  private async requireRoom(sessionId: number, device: string | null, tx?: Tx): Promise<void> {
    const clients = await (tx ?? this.env.store).listClients(sessionId);
    if (device !== null && clients.some((c) => c.device === device)) return;
    const max = this.env.settings.maxClients;
    if (clients.length >= max) {
      throw new ChatError({
        code: 'too_many_clients',
        message: `this session already has ${max} clients (MAX_CLIENTS); revoke one with DELETE /api/v1/clients/{id}`,
      });
    }
  }

  /**
   * The password was right: a new client, or the named device's own again, unless the session
   * changed while scrypt ran.
   */
  private async attachByLogin(
    session: SessionRow,
    device: string | null,
    style: ReplyStyle | undefined,
  ): Promise<Attached> {
    const token = newToken();
    const caller: Caller = { sessionId: session.id, clientId: 0, ...(style ? { style } : {}) };
    try {
      const { value } = await this.dispatcher.serial.run(session.id, () =>
        this.dispatcher.withContext(caller, async (ctx) => {
          // The password may have changed (or the session ended) while scrypt ran.
          if (ctx.session.passwordHash !== session.passwordHash) throw invalidCredentials();
          await this.requireRoom(ctx.session.id, device, ctx.tx);
          const known = device === null ? null : await ctx.tx.getClientByDevice(session.id, device);
          if (known) {
            const own = new Context(this.env, ctx.tx, ctx.session, known.id, ctx.out);
            own.style = ctx.style;
            return reattachDevice(own, known, token);
          }
          const attached = await this.attachClient(ctx.tx, ctx.session, token, ctx, device);
          return attached.created;
        }),
      );
      return value;
    } catch (err) {
      // The session ended between the lookup and the transaction: as if it never existed.
      if (err instanceof ChatError && err.code === 'invalid_token') throw invalidCredentials();
      throw err;
    }
  }

  /** Creates a client (a device's, when named) and queues it the arrival burst (arrival.ts). */
  private async attachClient(
    tx: Tx,
    session: SessionRow,
    token: string,
    parent: Context,
    device: string | null,
  ) {
    const client = await tx.createClient({
      sessionId: session.id,
      tokenHash: hashToken(token),
      createdAt: this.env.now(),
      ...(device === null ? {} : { device }),
    });
    const ctx = new Context(this.env, tx, session, client.id, parent.out);
    ctx.style = parent.style;
    await queueArrival(ctx);
    const created: SessionCreated = {
      id: session.id,
      client_id: client.id,
      nick: session.nick,
      token,
    };
    return { created, out: ctx.out };
  }
}
