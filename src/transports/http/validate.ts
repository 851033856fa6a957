// Request validation against the zod schemas, with messages that name the field:
// `body.params[2]: expected string`, `query: unknown parameter "token"`.
import type { z } from 'zod';
import { ChatError } from '../../protocol/errors.js';

export type Part = 'body' | 'query' | 'params';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Parses `value` or throws a 400 `invalid_request` naming the first offending field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: Part,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const message = first ? describeIssue(first, [], value, part) : `${part}: invalid`;
  throw new ChatError({ code: 'invalid_request', message });
}

export function formatPath(part: Part, path: Path): string {
  let out: string = part;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += `.${String(key)}`;
  }
  return out;
}

function describeIssue(issue: Issue, prefix: Path, root: unknown, part: Part): string {
  const path = [...prefix, ...issue.path];
  const where = formatPath(part, path);
  switch (issue.code) {
    case 'invalid_type': {
      const got = valueAt(root, path);
      if (part !== 'body' && Array.isArray(got)) return `${where}: must be given only once`;
      if (got === undefined) return `${where}: required`;
      return `${where}: expected ${typeName(issue.expected)}`;
    }
    case 'unrecognized_keys': {
      const what = part === 'query' ? 'parameter' : 'field';
      const key = issue.keys[0] ?? '';
      return `${where}: unknown ${what} ${JSON.stringify(key)}`;
    }
    case 'invalid_union':
      return describeUnion(issue, path, root, part);
    case 'too_big':
      return `${where}: ${sizeMessage(issue.origin, 'at most', issue.maximum)}`;
    case 'too_small':
      return `${where}: ${sizeMessage(issue.origin, 'at least', issue.minimum)}`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/**
 * A union fails as a whole; name the member that got furthest (an array whose item 2 is not a
 * string is reported as `body.body[2]: expected string`), else list the types allowed.
 */
function describeUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: Path,
  root: unknown,
  part: Part,
): string {
  const branches = issue.errors;
  const deeper = branches.find(
    (b) => b.length > 0 && !b.some((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  const firstDeeper = deeper?.[0];
  if (firstDeeper) return describeIssue(firstDeeper, path, root, part);
  const expected = branches
    .flatMap((b) => b.filter((i) => i.code === 'invalid_type' && i.path.length === 0))
    .map((i) => (i.code === 'invalid_type' ? typeName(i.expected) : ''));
  const unique = [...new Set(expected)].filter(Boolean);
  const where = formatPath(part, path);
  return unique.length > 0 ? `${where}: expected ${unique.join(' or ')}` : `${where}: invalid`;
}

function sizeMessage(origin: string, bound: string, n: number | bigint): string {
  switch (origin) {
    case 'string':
      return `must be ${bound} ${n} characters`;
    case 'array':
      return `must have ${bound} ${n} items`;
    default:
      return `must be ${bound} ${n}`;
  }
}

function typeName(expected: string): string {
  return expected === 'record' ? 'object' : expected;
}

function valueAt(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
