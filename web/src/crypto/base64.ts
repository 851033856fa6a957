// Standard (padded) base64 for keys and signatures (docs/signing.md): strict on the way in, so a
// key or signature has exactly one spelling, as chatd and src/shared/signing.ts require.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 of exactly `bytes` bytes, or null. */
export function decodeBase64(text: unknown, bytes: number): Uint8Array | null {
  if (typeof text !== 'string' || text.length !== 4 * Math.ceil(bytes / 3)) return null;
  if (!BASE64.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  if (binary.length !== bytes) return null;
  const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return btoa(binary) === text ? out : null;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
