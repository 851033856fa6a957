// rfc1459 casemapping (docs/commands.md): A-Z fold to a-z and []\~ fold to {}|^.

declare const foldedBrand: unique symbol;
/** A name folded for comparison; never shown to users. */
export type Folded = string & { readonly [foldedBrand]: true };

export function fold(name: string): Folded {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else if (c === 91) out += '{';
    else if (c === 93) out += '}';
    else if (c === 92) out += '|';
    else if (c === 126) out += '^';
    else out += name[i];
  }
  return out as Folded;
}

/** For store implementations reading a folded value back from a database column. */
export function asFolded(value: string): Folded {
  return value as Folded;
}
