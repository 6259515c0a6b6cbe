// Small shared helpers: the API error type, response wrappers, and ID/hash generators.
'use strict';

const crypto = require('node:crypto');

/** An API-level failure, rendered as HTTP 200 + {"Status": status, "Message": message} (spec 1.4). */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * A response body that is already serialized JSON (lets hot paths reuse cached profile JSON).
 * `text` is a string, or an array of strings whose concatenation is the document (streamed in pieces).
 */
class RawJson {
  constructor(text) {
    this.text = text;
  }
}

/**
 * A JSON document produced piece by piece while it is sent (list-users-full with 100,000 users):
 * `generate` is a generator function yielding strings whose concatenation is the document. It is
 * sent with chunked transfer encoding, so the whole text never exists at once.
 */
class JsonPieces {
  constructor(generate) {
    this.generate = generate;
  }

  [Symbol.iterator]() {
    return this.generate();
  }

  /** The whole document (only for small bodies, e.g. the `truncated` fault). */
  toString() {
    let out = '';
    for (const p of this) out += p;
    return out;
  }
}

/** A binary response body (branding/generate-client/*). */
class BinaryBody {
  constructor(buffer, filename) {
    this.buffer = buffer;
    this.filename = filename;
  }
}

/** Random RFC 4122 version-4 GUID, the shape Comet uses for CreationGUID and generated IDs. */
function newGuid() {
  return crypto.randomUUID();
}

/** Random lowercase hex string of `bytes` bytes. */
function randomHex(bytes) {
  return crypto.randomBytes(bytes).toString('hex');
}

/** True for a JSON object that is not an array or null. */
function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep copy of JSON data (only used where a snapshot must not alias live state). */
function cloneJson(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

const byteOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Keys of an object or Map in Go's encoding/json map order (ascending by code unit, which equals
 * byte order for the ASCII keys Comet uses): the order in which the real server emits maps.
 */
function sortedKeys(objOrMap) {
  const keys = objOrMap instanceof Map ? Array.from(objOrMap.keys()) : Object.keys(objOrMap);
  return keys.sort(byteOrder);
}

/** A new object with the same entries, keys sorted the way Go marshals maps. */
function sortObjectKeys(obj) {
  const out = {};
  for (const k of sortedKeys(obj)) out[k] = obj[k];
  return out;
}

module.exports = {
  ApiError,
  RawJson,
  JsonPieces,
  BinaryBody,
  newGuid,
  randomHex,
  isPlainObject,
  cloneJson,
  sortedKeys,
  sortObjectKeys,
};
