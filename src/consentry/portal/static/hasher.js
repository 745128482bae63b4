// The hashing worker: a photo, a video's bytes or a video frame goes in, only hashes come
// out. Nothing here opens a network connection; its Content-Security-Policy forbids it.

import { hashFrame, hashPhoto, hashVideo } from "./photo.js";

const isVideo = (file) => file.type.startsWith("video/");

self.addEventListener("message", async (event) => {
  const { id, file, frame } = event.data;
  if (frame) {
    // A frame the page read from a video: its PDQ, at its time.
    try {
      self.postMessage({ id, frame: { t: frame.t, ...hashFrame(frame.bitmap) } });
    } catch (error) {
      self.postMessage({ id, frame: { t: frame.t, failed: true } });
    }
    return;
  }
  try {
    const result = isVideo(file)
      ? await hashVideo(file, (done, total) => self.postMessage({ id, progress: done / total }))
      : await hashPhoto(file);
    self.postMessage({ id, result });
  } catch (error) {
    // The page turns the kind of failure into a message; the error text stays here.
    self.postMessage({ id, failure: isVideo(file) ? "unreadable" : "undecodable" });
  }
});
