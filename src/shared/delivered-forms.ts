// Which forms of a delivered envelope a signature may have been made over (docs/signing.md). The server
// stores and delivers every envelope with `params`, `body` and `meta` present (`[]`, `[]`, `{}`
// when the request left them out, docs/envelope-and-delivery.md) and `command` in upper case, while a signature covers
// only the fields the request carried. So a recipient also tries the forms where an empty `params`
// or `body` is left out (an empty list means the same as no list, so accepting either form lets
// nobody change what the message says). It never tries another `command`, and a missing `to` only
// for PUBKEY: a PUBKEY without `to` is delivered once per channel with `to` set to that channel,
// and its proof of possession is a signature over the form without `to` (the key is announced to
// every channel alike, so the channel adds nothing to what the signature vouches for).
// Pure: both Node's verifyDelivered (signing.ts) and the web client's verification use it.

/** The fields of a delivered message a signature can cover. */
export interface DeliveredFields {
  command: string;
  to?: string;
  params?: readonly string[];
  body?: unknown;
  meta?: Readonly<Record<string, unknown>>;
}

/** The candidate signed forms of `msg` (at most 8), `meta` as delivered. */
export function deliveredForms(msg: DeliveredFields): DeliveredFields[] {
  const tos = msg.command === 'PUBKEY' && msg.to !== undefined ? [msg.to, undefined] : [msg.to];
  const forms: DeliveredFields[] = [];
  for (const to of tos) {
    for (const params of emptyOrAbsent(msg.params)) {
      for (const body of emptyOrAbsent(msg.body)) {
        const form: DeliveredFields = { command: msg.command, meta: msg.meta };
        if (to !== undefined) form.to = to;
        if (params !== undefined) form.params = params as readonly string[];
        if (body !== undefined) form.body = body;
        forms.push(form);
      }
    }
  }
  return forms;
}

/** The value itself, and also "left out" when it is an empty list. */
function emptyOrAbsent(value: unknown): unknown[] {
  return Array.isArray(value) && value.length === 0 ? [value, undefined] : [value];
}
