// QR codes from images and from the device camera, for the check-in app.
//
// Two engines: the browser's BarcodeDetector (Android Chrome, macOS and ChromeOS; not desktop
// Linux or Windows, nor Firefox) where it reads "qr_code", else the vendored jsQR through
// ./jsqr.js, a plain ES module: the app's template needs no <script> for it. Both run on the
// device, so scanning works offline.
//
// Loads ./jsqr.js and ../vendor/jsqr/jsQR.js (a service worker caching the app must keep them).

import jsQR from "./jsqr.js";

const SCAN_INTERVAL_MS = 250;
const SAME_CODE_QUIET_MS = 3000;
// Camera frames are scaled down to this many pixels on their long side before jsQR reads
// them: a ticket held up to the camera still has several pixels per module, and a phone
// spends less than half the time it would on a full 1280×720 frame.
const SCAN_MAX_SIDE = 800;
const HAVE_CURRENT_DATA = 2;

/**
 * Why the camera could not start; `code` is stable, for the app's translated message:
 * "insecure_context" (the page is not on HTTPS), "unsupported" (no camera API),
 * "permission_denied", "no_camera", "camera_busy" (another app holds it, or it failed).
 */
export class CameraError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = "CameraError";
    this.code = code;
  }
}

/** The engines that can decode here, the default first: ["barcode-detector", "jsqr"], ["jsqr"]. */
export async function engines() {
  return (await barcodeDetector()) ? ["barcode-detector", "jsqr"] : ["jsqr"];
}

/**
 * The text of the QR code in `source`, or null when there is none, it cannot be read, or the
 * source cannot be drawn (an image not loaded yet, a closed frame, anything else). Never
 * rejects for a bad source; only for an unknown `engine` or one this browser lacks.
 *
 * `source`: ImageData, a canvas or OffscreenCanvas, an <img>, an ImageBitmap, a <video> or a
 * VideoFrame. Options: `engine` ("barcode-detector" or "jsqr") forces one (tests); jsQR only:
 * `maxSide` scales larger sources down first, `inversionAttempts` as jsQR's (by default it
 * also tries light-on-dark codes).
 */
export async function decodeQR(
  source,
  { engine, maxSide = Infinity, inversionAttempts = "attemptBoth" } = {},
) {
  const detector = await barcodeDetector();
  const chosen = engine ?? (detector ? "barcode-detector" : "jsqr");
  if (chosen === "barcode-detector") {
    if (!detector) {
      throw new TypeError("BarcodeDetector cannot read QR codes in this browser");
    }
    return decodeWithDetector(detector, source);
  }
  if (chosen === "jsqr") {
    return decodeWithJsQR(source, { maxSide, inversionAttempts });
  }
  throw new TypeError(`unknown QR engine: ${chosen}`);
}

/**
 * Starts the back camera in `video` and calls `onText(text)` for each code it sees.
 *
 * Resolves to `{stop()}` once the video plays; rejects with a {@link CameraError} when there
 * is no camera or the permission is refused. A few frames per second are decoded, not every
 * animation frame (phones heat), and none while nobody sees the camera: the page in the
 * background, or the video not displayed (the app shows another screen). A code shown
 * meanwhile is read as soon as the video shows again.
 *
 * `onText` fires once per code shown: a code fires again only after it was out of sight for
 * SAME_CODE_QUIET_MS (3 s), so a ticket still held up after its admission is not scanned
 * twice; a new code fires at once. If `onText` returns `false` (it cannot take a code now),
 * the code fires again at the next frame that shows it. `stop()` ends the decoding and
 * releases the camera (its light goes off); calling it again does nothing.
 */
export async function createScanner(video, onText) {
  const stream = await openCamera();
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
  } catch (error) {
    stopStream(stream, video);
    throw new CameraError("camera_busy", "the camera's video does not play", { cause: error });
  }

  let stopped = false;
  let timer = null;
  // text -> when it was last seen: two tickets in view at once, read in turns, fire once
  // each rather than at every frame.
  const lastSeen = new Map();

  const seen = (text) => {
    const now = performance.now();
    for (const [known, at] of lastSeen) {
      if (now - at > SAME_CODE_QUIET_MS) {
        lastSeen.delete(known);
      }
    }
    if (lastSeen.has(text)) {
      lastSeen.set(text, now);
      return;
    }
    lastSeen.set(text, now);
    let taken;
    try {
      taken = onText(text);
    } catch (error) {
      // The app's error must not stop the scanning: reported as an uncaught error would be.
      globalThis.reportError?.(error);
    }
    if (taken === false) {
      lastSeen.delete(text);
    }
  };

  const tick = async () => {
    if (inSight(video) && video.readyState >= HAVE_CURRENT_DATA) {
      const text = await decodeQR(video, {
        maxSide: SCAN_MAX_SIDE,
        inversionAttempts: "dontInvert",
      });
      if (text !== null && !stopped) {
        seen(text);
      }
    }
    if (!stopped) {
      // Scheduled after the decoding, never stacked behind a slow one.
      timer = setTimeout(tick, SCAN_INTERVAL_MS);
    }
  };
  timer = setTimeout(tick, 0);

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      stopStream(stream, video);
    },
  };
}

function inSight(video) {
  // No layout box: the video or one of its ancestors is not displayed.
  return !document.hidden && video.getClientRects().length > 0;
}

async function openCamera() {
  const mediaDevices = globalThis.navigator?.mediaDevices;
  if (!mediaDevices?.getUserMedia) {
    throw globalThis.isSecureContext === false
      ? new CameraError("insecure_context", "the camera needs the page on HTTPS")
      : new CameraError("unsupported", "this browser has no camera API");
  }
  try {
    return await mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (error) {
    throw new CameraError(CAMERA_ERRORS[error?.name] ?? "camera_busy", String(error?.message), {
      cause: error,
    });
  }
}

const CAMERA_ERRORS = {
  NotAllowedError: "permission_denied",
  SecurityError: "permission_denied",
  NotFoundError: "no_camera",
  OverconstrainedError: "no_camera",
  NotReadableError: "camera_busy",
  AbortError: "camera_busy",
};

function stopStream(stream, video) {
  for (const track of stream.getTracks()) {
    track.stop();
  }
  if (video.srcObject === stream) {
    video.srcObject = null;
  }
}

let detectorPromise = null;

// A BarcodeDetector for QR codes, or null where the browser has none or it cannot read them.
function barcodeDetector() {
  detectorPromise ??= (async () => {
    const Detector = globalThis.BarcodeDetector;
    if (typeof Detector !== "function") {
      return null;
    }
    try {
      const formats = await Detector.getSupportedFormats();
      return formats.includes("qr_code") ? new Detector({ formats: ["qr_code"] }) : null;
    } catch {
      return null;
    }
  })();
  return detectorPromise;
}

async function decodeWithDetector(detector, source) {
  try {
    const codes = await detector.detect(source);
    const text = codes.find((code) => code.rawValue)?.rawValue;
    return text || null;
  } catch {
    return null;
  }
}

function decodeWithJsQR(source, { maxSide, inversionAttempts }) {
  try {
    const image = imageData(source, maxSide);
    if (image === null) {
      return null;
    }
    const code = jsQR(image.data, image.width, image.height, { inversionAttempts });
    return code?.data || null;
  } catch {
    return null;
  }
}

let scratch = null;

// The pixels of `source`, its long side at most `maxSide`; null if it has no size yet.
function imageData(source, maxSide) {
  const isImageData = typeof ImageData !== "undefined" && source instanceof ImageData;
  if (isImageData && sideOf(source) <= maxSide) {
    return source;
  }
  const width = source.videoWidth || source.naturalWidth || source.displayWidth || source.width;
  const height =
    source.videoHeight || source.naturalHeight || source.displayHeight || source.height;
  if (!(width > 0 && height > 0)) {
    return null;
  }
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const targetWidth = Math.max(1, Math.round(width * scale));
  const targetHeight = Math.max(1, Math.round(height * scale));
  const context = scratchContext(targetWidth, targetHeight);
  const drawable = isImageData ? imageDataCanvas(source) : source;
  context.drawImage(drawable, 0, 0, targetWidth, targetHeight);
  return context.getImageData(0, 0, targetWidth, targetHeight);
}

function sideOf(image) {
  return Math.max(image.width, image.height);
}

// One canvas reused for every frame: a new one per frame would churn memory 4 times a second.
function scratchContext(width, height) {
  scratch ??= newCanvas(width, height).getContext("2d", { willReadFrequently: true });
  if (scratch.canvas.width !== width || scratch.canvas.height !== height) {
    scratch.canvas.width = width;
    scratch.canvas.height = height;
  }
  return scratch;
}

function imageDataCanvas(image) {
  const canvas = newCanvas(image.width, image.height);
  canvas.getContext("2d").putImageData(image, 0, 0);
  return canvas;
}

function newCanvas(width, height) {
  if (typeof OffscreenCanvas === "function") {
    return new OffscreenCanvas(width, height);
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}
