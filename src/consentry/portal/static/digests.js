// Incremental MD5 (RFC 1321) and SHA-256 (FIPS 180-4), fed in chunks so that a large
// video never has to sit whole in memory. WebCrypto has no incremental digest and no
// MD5, which StopNCII shares for videos.

class BlockHash {
  // Both algorithms eat 64-byte blocks and end with a 0x80 byte, zero padding and the
  // message length in bits; they differ in the byte order of that length.
  constructor(bigEndianLength) {
    this.bigEndianLength = bigEndianLength;
    this.pending = new Uint8Array(64);
    this.pendingLength = 0;
    this.bytes = 0;
    this.words = new Uint32Array(64);
  }

  update(data) {
    let offset = 0;
    this.bytes += data.length;
    if (this.pendingLength > 0) {
      const take = Math.min(64 - this.pendingLength, data.length);
      this.pending.set(data.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength < 64) return this;
      this.block(this.pending, 0);
      this.pendingLength = 0;
    }
    for (; offset + 64 <= data.length; offset += 64) this.block(data, offset);
    this.pending.set(data.subarray(offset), 0);
    this.pendingLength = data.length - offset;
    return this;
  }

  digestHex() {
    const bits = this.bytes * 8;
    const tail = new Uint8Array(this.pendingLength < 56 ? 64 : 128);
    tail.set(this.pending.subarray(0, this.pendingLength));
    tail[this.pendingLength] = 0x80;
    const low = bits >>> 0;
    const high = Math.floor(bits / 0x100000000) >>> 0;
    const view = new DataView(tail.buffer);
    if (this.bigEndianLength) {
      view.setUint32(tail.length - 8, high);
      view.setUint32(tail.length - 4, low);
    } else {
      view.setUint32(tail.length - 8, low, true);
      view.setUint32(tail.length - 4, high, true);
    }
    for (let offset = 0; offset < tail.length; offset += 64) this.block(tail, offset);
    return this.stateHex();
  }
}

function hex32(value, littleEndian) {
  let text = "";
  for (let i = 0; i < 4; i++) {
    const shift = littleEndian ? i * 8 : 24 - i * 8;
    text += ((value >>> shift) & 0xff).toString(16).padStart(2, "0");
  }
  return text;
}

const MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const MD5_K = Uint32Array.from({ length: 64 }, (_, i) =>
  Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000),
);

export class Md5 extends BlockHash {
  constructor() {
    super(false);
    this.state = Uint32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476);
  }

  block(data, offset) {
    const m = this.words;
    for (let i = 0; i < 16; i++) {
      const p = offset + i * 4;
      m[i] = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24);
    }
    let [a, b, c, d] = this.state;
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      let f;
      let g;
      if (round === 0) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (round === 1) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (round === 2) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = MD5_SHIFTS[round * 4 + (i & 3)];
      const sum = (a + f + MD5_K[i] + m[g]) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    this.state[0] += a;
    this.state[1] += b;
    this.state[2] += c;
    this.state[3] += d;
  }

  stateHex() {
    return Array.from(this.state, (word) => hex32(word, true)).join("");
  }
}

const SHA256_K = Uint32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

function rotr(value, bits) {
  return (value >>> bits) | (value << (32 - bits));
}

export class Sha256 extends BlockHash {
  constructor() {
    super(true);
    this.state = Uint32Array.of(
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    );
  }

  block(data, offset) {
    const w = this.words;
    for (let i = 0; i < 16; i++) {
      const p = offset + i * 4;
      w[i] = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
    }
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, h] = this.state;
    for (let i = 0; i < 64; i++) {
      const t1 =
        (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i]) |
        0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const s = this.state;
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
    s[4] += e;
    s[5] += f;
    s[6] += g;
    s[7] += h;
  }

  stateHex() {
    return Array.from(this.state, (word) => hex32(word, false)).join("");
  }
}

export const CHUNK_BYTES = 8 * 1024 * 1024;

// Both digests of a Blob, read one chunk at a time; `progress(done, total)` after each.
export async function fileDigests(blob, progress = () => {}) {
  const md5 = new Md5();
  const sha256 = new Sha256();
  for (let offset = 0; offset < blob.size; offset += CHUNK_BYTES) {
    const chunk = new Uint8Array(await blob.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
    md5.update(chunk);
    sha256.update(chunk);
    progress(Math.min(offset + CHUNK_BYTES, blob.size), blob.size);
  }
  return { md5: md5.digestHex(), sha256: sha256.digestHex() };
}
