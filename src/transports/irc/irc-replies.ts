// Numerics and lines the IRC listener answers on its own, before or beside the core: registration,
// SASL (IRCv3 sasl-3.1), PONG and ERROR. The core's numerics come through the client's queue.
import type { OutgoingMessage } from './line-codec.js';

export const IRC_RPL = {
  LOGGEDIN: '900',
  SASLSUCCESS: '903',
  SASLMECHS: '908',
} as const;

export const IRC_ERR = {
  UNKNOWNCOMMAND: '421',
  ERRONEUSNICKNAME: '432',
  NICKNAMEINUSE: '433',
  NOTREGISTERED: '451',
  NEEDMOREPARAMS: '461',
  ALREADYREGISTERED: '462',
  PASSWDMISMATCH: '464',
  INPUTTOOLONG: '417',
  NICKLOCKED: '902',
  SASLFAIL: '904',
  SASLTOOLONG: '905',
  SASLABORTED: '906',
  SASLALREADY: '907',
} as const;

/** `:server NNN <nick or *> params… :text` */
export function numeric(
  server: string,
  code: string,
  nick: string | null,
  params: readonly string[],
  text?: string,
): OutgoingMessage {
  const all = [nick ?? '*', ...params];
  if (text !== undefined) all.push(text);
  return { source: server, command: code, params: all, trailing: text !== undefined };
}

export function errorLine(text: string): OutgoingMessage {
  return { command: 'ERROR', params: [text], trailing: true };
}

export function pong(server: string, token: string): OutgoingMessage {
  return { source: server, command: 'PONG', params: [server, token], trailing: true };
}
