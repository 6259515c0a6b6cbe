'use strict';
// Shrinks a screenshot for the README: decodes Chromium's 8-bit RGB(A) PNG, keeps the 256 most used
// colours (a UI is mostly flat colours; text edges map to the nearest one) and writes an indexed PNG
// at zlib's best compression. Built-in modules only: Debian's Node has no image tools.
const zlib = require('node:zlib');

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Decodes a non-interlaced 8-bit RGB or RGBA PNG to {width, height, rgb} (alpha dropped). */
function decode(png) {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) throw new Error('unsupported PNG layout');
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev ? prev[i] : 0;
      const c = prev && i >= channels ? prev[i - channels] : 0;
      let v;
      switch (filter) {
        case 0: v = 0; break;
        case 1: v = a; break;
        case 2: v = b; break;
        case 3: v = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter ${filter}`);
      }
      out[i] = (line[i] + v) & 0xff;
    }
  }
  const rgb = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) pixels.copy(rgb, p * 3, p * channels, p * channels + 3);
  return { width, height, rgb };
}

/** An indexed (palette) PNG of the image, with at most 256 colours. */
function toPalettePng(png) {
  const { width, height, rgb } = decode(png);
  const n = width * height;
  // Bucket colours by 5 bits a channel; the most used buckets become the palette (their mean colour).
  const key = (i) => ((rgb[i] >> 3) << 10) | ((rgb[i + 1] >> 3) << 5) | (rgb[i + 2] >> 3);
  const count = new Uint32Array(32768);
  const sum = new Float64Array(32768 * 3);
  for (let p = 0; p < n; p++) {
    const k = key(p * 3);
    count[k]++;
    sum[k * 3] += rgb[p * 3];
    sum[k * 3 + 1] += rgb[p * 3 + 1];
    sum[k * 3 + 2] += rgb[p * 3 + 2];
  }
  const used = [];
  for (let k = 0; k < 32768; k++) if (count[k]) used.push(k);
  used.sort((x, y) => count[y] - count[x]);
  const chosen = used.slice(0, 256);
  const palette = Buffer.alloc(chosen.length * 3);
  chosen.forEach((k, i) => {
    for (let c = 0; c < 3; c++) palette[i * 3 + c] = Math.round(sum[k * 3 + c] / count[k]);
  });
  const index = new Int16Array(32768).fill(-1);
  for (const k of used) {
    const r = sum[k * 3] / count[k];
    const g = sum[k * 3 + 1] / count[k];
    const b = sum[k * 3 + 2] / count[k];
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < chosen.length; i++) {
      const d = (palette[i * 3] - r) ** 2 + (palette[i * 3 + 1] - g) ** 2 + (palette[i * 3 + 2] - b) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    index[k] = best;
  }
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // no filter: indices do not predict well
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = index[key((y * width + x) * 3)];
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // indexed colour
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('PLTE', palette),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9, memLevel: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

module.exports = { decode, toPalettePng };
