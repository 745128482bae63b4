// PDQ (Meta's published perceptual hash) from RGBA pixels, with no DOM: runs in a worker.
//
// The reference blurs full-resolution luma with two passes of a box filter (Jarosz),
// samples 64x64 points, takes a 16x16 DCT and thresholds it at its median. Blur and
// sampling are linear and separable, so the 64x64 buffer is Wy * luma * Wx^T for two
// banded weight matrices: one pass over the pixels instead of four, and the same
// numbers as the reference up to rounding (see consentry/hashing/pdq_core.py).

const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

// One box pass along an axis of `size` samples, applied on the right of `weights`:
// output i of the reference's box averages inputs [i - (window - half), i + half - 1].
function boxOnRight(weights, size, window) {
  const half = Math.floor((window + 2) / 2);
  const out = new Float64Array(size);
  const cumulative = new Float64Array(size + 1);
  for (let i = 0; i < size; i++) {
    const low = Math.max(i - (window - half), 0);
    const high = Math.min(i + half - 1, size - 1);
    cumulative[i + 1] = cumulative[i] + weights[i] / (high - low + 1);
  }
  for (let x = 0; x < size; x++) {
    const start = Math.min(Math.max(x - (half - 1), 0), size);
    const stop = Math.min(Math.max(x + (window - half) + 1, 0), size);
    out[x] = cumulative[stop] - cumulative[start];
  }
  return out;
}

// For each of the 64 samples along an axis: the first pixel it reads and its weights.
export function axisWeights(size) {
  const window = Math.floor((size + 127) / 128);
  const bands = [];
  for (let k = 0; k < 64; k++) {
    const row = new Float64Array(size);
    row[Math.floor(((k + 0.5) * size) / 64)] = 1;
    const weights = boxOnRight(boxOnRight(row, size, window), size, window);
    let first = 0;
    while (first < size - 1 && weights[first] === 0) first++;
    let last = size - 1;
    while (last > first && weights[last] === 0) last--;
    bands.push({ first, weights: weights.slice(first, last + 1) });
  }
  return bands;
}

// The 16 x 64 DCT-II rows 1..16 (the DC row is skipped, as in the reference).
const DCT = (() => {
  const matrix = new Float64Array(16 * 64);
  const scale = Math.sqrt(2 / 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      matrix[i * 64 + j] = scale * Math.cos((Math.PI / 128) * (i + 1) * (2 * j + 1));
    }
  }
  return matrix;
})();

// Wy * luma * Wx^T, reading each pixel once.
function buffer64(rgba, width, height) {
  const across = axisWeights(width);
  const down = axisWeights(height);
  const partial = new Float64Array(height * 64); // luma * Wx^T, one row of 64 per pixel row
  const luma = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    let p = y * width * 4;
    for (let x = 0; x < width; x++, p += 4) {
      luma[x] = LUMA_R * rgba[p] + LUMA_G * rgba[p + 1] + LUMA_B * rgba[p + 2];
    }
    for (let k = 0; k < 64; k++) {
      const { first, weights } = across[k];
      let sum = 0;
      for (let t = 0; t < weights.length; t++) sum += weights[t] * luma[first + t];
      partial[y * 64 + k] = sum;
    }
  }
  const out = new Float64Array(64 * 64);
  for (let j = 0; j < 64; j++) {
    const { first, weights } = down[j];
    for (let t = 0; t < weights.length; t++) {
      const w = weights[t];
      const row = (first + t) * 64;
      for (let k = 0; k < 64; k++) out[j * 64 + k] += w * partial[row + k];
    }
  }
  return out;
}

// The reference's image-domain quality: summed gradients of the 64x64 buffer, 0-100.
export function qualityOf(buffer) {
  let gradient = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      gradient += Math.abs(Math.trunc(((buffer[i * 64 + j] - buffer[(i + 1) * 64 + j]) * 100) / 255));
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      gradient += Math.abs(Math.trunc(((buffer[i * 64 + j] - buffer[i * 64 + j + 1]) * 100) / 255));
    }
  }
  return Math.min(100, Math.floor(gradient / 90));
}

// D * buffer * D^T: the 16x16 coefficients, row-major.
export function dct16(buffer) {
  const half = new Float64Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let k = 0; k < 64; k++) {
      let sum = 0;
      for (let j = 0; j < 64; j++) sum += DCT[i * 64 + j] * buffer[j * 64 + k];
      half[i * 64 + k] = sum;
    }
  }
  const out = new Float64Array(256);
  for (let i = 0; i < 16; i++) {
    for (let m = 0; m < 16; m++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum += half[i * 64 + k] * DCT[m * 64 + k];
      out[i * 16 + m] = sum;
    }
  }
  return out;
}

// Bit k is set when coefficient k exceeds the median (the 128th smallest, as Torben's
// median in the reference). The hex is most significant bit first and bit 255 leads,
// as in the reference's and python-threatexchange's output.
export function toHex(coefficients) {
  const median = Float64Array.from(coefficients).sort()[127];
  let hex = "";
  for (let nibble = 0; nibble < 64; nibble++) {
    let value = 0;
    for (let b = 0; b < 4; b++) {
      const k = 255 - (nibble * 4 + b);
      value = (value << 1) | (coefficients[k] > median ? 1 : 0);
    }
    hex += value.toString(16);
  }
  return hex;
}

// The PDQ hash (64 hex digits) and quality of an image given as RGBA bytes.
export function pdqFromRgba(rgba, width, height) {
  if (width < 1 || height < 1 || rgba.length < width * height * 4) {
    throw new RangeError("the pixel buffer does not match the image size");
  }
  const buffer = buffer64(rgba, width, height);
  return { hash: toHex(dct16(buffer)), quality: qualityOf(buffer) };
}
