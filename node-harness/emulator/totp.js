// RFC 4648 base32 decoding and RFC 6238 TOTP (SHA1, 30 s step, 6 digits) for the emulator's admin 2FA.
'use strict';

const crypto = require('node:crypto');

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decode an RFC 4648 base32 string (case-insensitive, spaces and '=' padding ignored). */
function base32Decode(input) {
  const clean = String(input).toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = BASE32_ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** Encode bytes as unpadded RFC 4648 base32 (used by tests and docs to build secrets). */
function base32Encode(buf) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(value >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** HOTP (RFC 4226) for a counter; the counter is written as a 64-bit big-endian integer. */
function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(code % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code for a base32 secret at a Unix time in seconds. */
function totpCode(secretBase32, unixSeconds, { step = 30, digits = 6 } = {}) {
  return hotp(base32Decode(secretBase32), Math.floor(unixSeconds / step), digits);
}

/** True if `code` matches the current step or one step either side (clock skew tolerance). */
function verifyTotp(secretBase32, code, unixSeconds, { step = 30, digits = 6, window = 1 } = {}) {
  if (typeof code !== 'string' || !/^\d+$/.test(code) || code.length !== digits) return false;
  const key = base32Decode(secretBase32);
  const counter = Math.floor(unixSeconds / step);
  for (let d = -window; d <= window; d++) {
    if (counter + d < 0) continue;
    const expected = hotp(key, counter + d, digits);
    if (crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(code))) return true;
  }
  return false;
}

module.exports = { base32Decode, base32Encode, hotp, totpCode, verifyTotp };
