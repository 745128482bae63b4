// The hashing worker: a photo or video goes in, only hashes come out. Nothing here
// opens a network connection; its Content-Security-Policy forbids it anyway.

import { hashPhoto, hashVideo } from "./photo.js";

const isVideo = (file) => file.type.startsWith("video/");

self.addEventListener("message", async (event) => {
  const { id, file } = event.data;
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
