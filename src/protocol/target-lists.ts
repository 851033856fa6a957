// Lists in commands (docs/limits.md): every comma list a command takes — targets, nicks, channels,
// masks — is de-duplicated (rfc1459-folded, first spelling kept) and capped, so one request
// cannot fan out into thousands of rows. The caps are announced in ISUPPORT as TARGMAX, with
// the values the major IRC servers use (Hybrid, Solanum, Ergo: PRIVMSG/NOTICE 4, NAMES/LIST/
// WHOIS 1); commands those servers leave unlimited (JOIN, PART, ISON) get MAX_TARGETS, which
// also caps every other entry. A list over its cap is refused whole with 407, before anything
// is stored: partial delivery of a refused command would be a surprise.
import { fold } from '../model/casefold.js';
import type { Context } from './context.js';
import { ircError } from './errors.js';
import { ERR } from '../model/numerics.js';

/** Per-verb caps below MAX_TARGETS; verbs not here take MAX_TARGETS. */
const OWN_LIMITS: Readonly<Record<string, number>> = {
  PRIVMSG: 4,
  NOTICE: 4,
  TAGMSG: 4,
  PUBKEY: 4,
  KICK: 4,
  NAMES: 1,
  LIST: 1,
  WHOIS: 1,
  // RFC 2812: "up to 5 nicknames"
  USERHOST: 5,
};

/** Verbs that take lists, as announced in TARGMAX (sorted, as servers print them). */
const LIST_VERBS = ['ISON', 'JOIN', 'KICK', 'LIST', 'NAMES', 'NOTICE', 'PART', 'PRIVMSG'].concat([
  'PUBKEY',
  'TAGMSG',
  'USERHOST',
  'WHOIS',
]);

export function targetLimit(verb: string, maxTargets: number): number {
  return Math.min(OWN_LIMITS[verb] ?? maxTargets, maxTargets);
}

/** The ISUPPORT token, e.g. `TARGMAX=ISON:20,JOIN:20,KICK:4,…`. */
export function targmaxToken(maxTargets: number): string {
  return 'TARGMAX=' + LIST_VERBS.map((v) => `${v}:${targetLimit(v, maxTargets)}`).join(',');
}

/**
 * The entries of a comma list (empty entries dropped, duplicates under rfc1459 folding removed,
 * the first spelling kept), or 407 ERR_TOOMANYTARGETS when more than the verb's cap remain.
 * An empty result is the caller's to refuse (461 or 411, as the command's RFC says).
 */
export function targetList(ctx: Context, verb: string, raw: string): string[] {
  return capList(raw.split(','), verb, ctx.env.settings.maxTargets);
}

/**
 * As targetList without removing duplicates, for lists whose entries pair up by position
 * (KICK #a,#b nick,nick): the caller de-duplicates the pairs.
 */
export function pairedList(ctx: Context, verb: string, raw: string): string[] {
  const entries = raw.split(',').filter((e) => e.length > 0);
  const limit = targetLimit(verb, ctx.env.settings.maxTargets);
  if (entries.length > limit) throw tooMany(verb, limit, entries[limit]!);
  return entries;
}

/** As targetList, for entries already split (ISON's space-separated nicks); empty ones dropped. */
export function capList(entries: readonly string[], verb: string, maxTargets: number): string[] {
  const unique = dedupe(entries);
  const limit = targetLimit(verb, maxTargets);
  if (unique.length > limit) throw tooMany(verb, limit, unique[limit]!);
  return unique;
}

function tooMany(verb: string, limit: number, firstOver: string) {
  return ircError(
    ERR.TOOMANYTARGETS,
    [firstOver],
    `Too many targets: ${verb} takes at most ${limit} (TARGMAX); nothing was done`,
  );
}

function dedupe(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.length === 0) continue;
    const key = fold(entry);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  return out;
}
