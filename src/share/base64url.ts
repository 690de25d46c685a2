/**
 * base64url (RFC 4648 §5) without padding: the URL- and filename-safe alphabet, so a share link needs no
 * percent-encoding. Decoding refuses any other character instead of skipping it.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    chunk += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63] + (left > 1 ? ALPHABET[(n >> 6) & 63] : '') + (left > 2 ? ALPHABET[n & 63] : '');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** The bytes of a base64url string, or null when it holds a character outside the alphabet a dangling one, or
 * non-zero unused bits in the last character. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null; // 6 bits cannot make a byte
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUES[code] : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >> bits) & 0xff;
    }
  }
  // Canonical only (RFC 4648 §3.5): the last character's unused bits are zero, so no two strings give the same bytes.
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
