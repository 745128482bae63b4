// The frames of an MP4 (or MOV) video decoded once each, in order, with WebCodecs. Seeking
// a <video> decodes from the last keyframe at every seek: with a keyframe every 8 s (an
// encoder's default) reading one frame a second decodes each stretch eight times over.
// Here the file is demuxed by MP4Box.js (vendor/mp4box, BSD-3-Clause) and every frame is
// decoded once; the frame shown at each sampling time is kept, as a seek would show it.
// Nothing here opens a connection.

import { createFile, DataStream, Endianness } from "./vendor/mp4box/mp4box.all.mjs";

const CHUNK = 4 << 20; // bytes of the file read at a time
const QUEUED = 24; // encoded frames waiting in the decoder at most

// The codec's own configuration box (avcC, hvcC, vpcC, av1C), as WebCodecs wants it.
function description(trak) {
  for (const entry of trak.mdia.minf.stbl.stsd.entries) {
    const box = entry.avcC || entry.hvcC || entry.vpcC || entry.av1C;
    if (box) {
      const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN);
      box.write(stream);
      return new Uint8Array(stream.buffer, 8); // without the box header
    }
  }
  return undefined;
}

// Where the presentation starts in the track's media time (its edit list), in seconds.
function startOf(trak, timescale) {
  const entries = trak.edts?.elst?.entries ?? [];
  const first = entries.find((entry) => entry.media_time >= 0);
  return first ? first.media_time / timescale : 0;
}

// Reads the file up to its moov box; returns { file, track, trak, offset, samples } or
// null when this is no MP4 with a video track. Samples are extracted from the moment
// the moov box is read (MP4Box extracts from data appended after `start`), into
// `samples`, which the caller empties.
async function demux(blob) {
  const head = new Uint8Array(await blob.slice(4, 8).arrayBuffer());
  if (String.fromCharCode(...head) !== "ftyp") return null; // not the MP4 family
  const file = createFile();
  const samples = [];
  let info = null;
  let failed = false;
  file.onError = () => (failed = true);
  file.onSamples = (_id, _user, extracted) => samples.push(...extracted);
  file.onReady = (ready) => {
    info = ready;
    const track = ready.videoTracks?.[0];
    if (!track) return;
    file.setExtractionOptions(track.id, null, { nbSamples: 100 });
    file.start();
  };
  let offset = 0;
  while (!info && !failed && offset < blob.size) {
    const buffer = await blob.slice(offset, offset + CHUNK).arrayBuffer();
    buffer.fileStart = offset;
    offset = file.appendBuffer(buffer) ?? offset + buffer.byteLength;
  }
  const track = info?.videoTracks?.[0];
  if (!track) return null;
  return { file, track, trak: file.getTrackById(track.id), offset, samples };
}

// Calls `onFrame({ t, duration, count, bitmap })` for each of `count` sampling times, in
// order, and waits for it. Returns false, having called nothing, when the file cannot be
// decoded this way (the caller seeks instead).
export async function decodeFrames(blob, { duration, count, step }, onFrame, stopped) {
  if (!("VideoDecoder" in self)) return false;
  let demuxed;
  try {
    demuxed = await demux(blob);
  } catch (error) {
    return false;
  }
  if (!demuxed) return false;
  const { file, track, trak } = demuxed;
  const config = {
    codec: track.codec.startsWith("vp08") ? "vp8" : track.codec,
    codedWidth: track.video.width,
    codedHeight: track.video.height,
    description: description(trak),
  };
  const support = await VideoDecoder.isConfigSupported(config).catch(() => null);
  if (!support?.supported) return false;

  const start = startOf(trak, track.timescale);
  let next = 0; // the sampling time to fill next
  let shown = null; // the latest frame decoded: shown until the next one starts
  let delivered = Promise.resolve();
  let failure = null;
  const target = (n) => Math.min(n * step + 0.001, duration); // where a seek would land

  // Hands `frame` over for sampling times up to `until` (exclusive), then closes it.
  function handOver(frame, until) {
    const times = [];
    while (next < count && target(next) < until) times.push(next++ * step);
    if (times.length === 0) {
      frame.close();
      return;
    }
    const bitmaps = times.map(() => createImageBitmap(frame));
    frame.close();
    times.forEach((t, i) => {
      delivered = delivered.then(async () => {
        const bitmap = await bitmaps[i].catch(() => null);
        if (bitmap) await onFrame({ t, duration, count, bitmap });
      });
    });
  }

  const decoder = new VideoDecoder({
    output(frame) {
      const at = frame.timestamp / 1e6;
      if (shown) handOver(shown, at);
      shown = frame;
    },
    error(error) {
      failure = error;
    },
  });
  decoder.configure(config);
  const extracted = demuxed.samples;
  let offset = demuxed.offset;
  const feed = async () => {
    while (extracted.length) {
      const sample = extracted.shift();
      if (failure || stopped()) return;
      decoder.decode(
        new EncodedVideoChunk({
          type: sample.is_sync ? "key" : "delta",
          timestamp: ((sample.cts / sample.timescale) - start) * 1e6,
          duration: (sample.duration / sample.timescale) * 1e6,
          data: sample.data,
        }),
      );
      file.releaseUsedSamples(track.id, sample.number + 1);
      while (decoder.decodeQueueSize > QUEUED && !failure) {
        await new Promise((resolve) => decoder.addEventListener("dequeue", resolve, { once: true }));
      }
      await delivered; // frames in hand wait for the hasher, as with seeking
    }
  };
  try {
    await feed();
    while (offset < blob.size && !failure && !stopped()) {
      const buffer = await blob.slice(offset, offset + CHUNK).arrayBuffer();
      buffer.fileStart = offset;
      offset = file.appendBuffer(buffer) ?? offset + buffer.byteLength;
      await feed();
    }
    file.flush();
    await feed();
    if (!failure && !stopped()) await decoder.flush();
  } catch (error) {
    failure = failure || error;
  } finally {
    if (decoder.state !== "closed") decoder.close();
  }
  if (shown) {
    if (!failure && !stopped()) handOver(shown, Infinity); // the last frame, to the end
    else shown.close();
  }
  await delivered;
  if (failure && next === 0) return false; // nothing decoded: let seeking try
  if (failure) throw failure;
  return true;
}
