// Bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash.
import { hash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** every request hashes its token: the one-shot hash() costs about half of createHash() */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}
