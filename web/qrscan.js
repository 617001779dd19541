// Reading QR codes in the browser: the camera (getUserMedia) or an image file, decoded by the
// browser's BarcodeDetector where it exists (Android, macOS, ChromeOS Chrome) and otherwise by the
// packaged jsQR decoder (/static/jsqr.js, npm `jsqr`, embedded at build time; loaded on first
// use). One camera scan at a time per page; stopScan() releases the camera.

let jsqrPromise = null;
function loadJsQR() {
  jsqrPromise ||= new Promise((resolve, reject) => {
    if (globalThis.jsQR) { resolve(globalThis.jsQR); return; }
    const s = document.createElement('script');
    s.src = '/static/jsqr.js';
    s.onload = () => (globalThis.jsQR ? resolve(globalThis.jsQR) : reject(new Error('jsQR did not load')));
    s.onerror = () => reject(new Error('the QR decoder is not available on this server'));
    document.head.append(s);
  });
  return jsqrPromise;
}

let detector;
async function barcodeDetector() {
  if (detector !== undefined) return detector;
  detector = null;
  if ('BarcodeDetector' in globalThis) {
    try {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
    } catch { /* unsupported on this platform */ }
  }
  return detector;
}

// Which decoder this browser will use: "BarcodeDetector" or "jsQR".
export async function decoderName() {
  return (await barcodeDetector()) ? 'BarcodeDetector' : 'jsQR';
}

// Decodes one QR code from an image source (ImageBitmap, <video>, <img>, canvas); null if none.
async function decodeSource(source, width, height) {
  const d = await barcodeDetector();
  if (d) {
    const codes = await d.detect(source);
    return codes.length ? codes[0].rawValue : null;
  }
  const jsQR = await loadJsQR();
  const canvas = document.createElement('canvas');
  // Large photos are scaled down: jsQR's cost grows with pixels, and QR modules stay readable.
  const scale = Math.min(1, 1600 / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const code = jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
  return code ? code.data : null;
}

// Decodes the QR code in an image File (photo or screenshot). Resolves to its text or null.
export async function decodeImageFile(file) {
  const bitmap = await createImageBitmap(file);
  try {
    return await decodeSource(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

let stream = null;
let timer = null;

// Opens the back camera into `video` and calls onText(text) once a QR code is read (then stops).
export async function startScan(video, onText) {
  stopScan();
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error('this browser cannot open a camera here (HTTPS is required)');
  }
  stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const tick = async () => {
    if (!stream) return;
    try {
      if (video.videoWidth > 0) {
        const text = await decodeSource(video, video.videoWidth, video.videoHeight);
        if (text) { stopScan(video); onText(text); return; }
      }
    } catch { /* a frame that could not be read; try the next one */ }
    timer = setTimeout(tick, 250);
  };
  tick();
}

export function stopScan(video) {
  if (timer) clearTimeout(timer);
  timer = null;
  if (stream) for (const t of stream.getTracks()) t.stop();
  stream = null;
  if (video) { video.srcObject = null; video.hidden = true; }
}
