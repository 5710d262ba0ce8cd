// The scan page: reads a printed form's QR code with the phone's camera (getUserMedia) or from a chosen photo,
// decodes it with jsQR (vendor/jsqr) and opens the link it carries if it is this site's scan link. The server
// checks the code's signature, the user's login and scope; this only finds the code.
(function () {
  "use strict";
  const box = document.querySelector("[data-sz-scan]");
  if (!box || typeof window.jsQR !== "function") return;
  const status = box.querySelector("[data-sz-scan-status]");
  const video = box.querySelector("[data-sz-scan-video]");
  const view = box.querySelector("[data-sz-scan-view]");
  const button = box.querySelector("[data-sz-scan-camera]");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let stream = null;

  function say(key) { status.textContent = status.dataset[key] || ""; }

  function decode(source, width, height) {
    const scale = Math.min(1, 1600 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
    return code ? code.data : null;
  }

  function open(text) {
    let url;
    try { url = new URL(text, window.location.href); } catch (err) { url = null; }
    const token = url && url.searchParams.get("t");
    if (!url || url.origin !== window.location.origin || url.pathname !== box.dataset.szScanPath || !token) {
      say("msgForeign");
      return false;
    }
    stop();
    say("msgFound");
    window.location.assign(box.dataset.szScanPath + "?t=" + encodeURIComponent(token));
    return true;
  }

  function stop() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    view.hidden = true;
    button.setAttribute("aria-pressed", "false");
  }

  function frame() {
    if (!stream) return;
    if (video.readyState >= 2) {
      const text = decode(video, video.videoWidth, video.videoHeight);
      if (text && open(text)) return;
    }
    window.requestAnimationFrame(frame);
  }

  button.addEventListener("click", () => {
    if (stream) { stop(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say("msgNocamera"); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then((s) => {
      stream = s;
      video.srcObject = s;
      view.hidden = false;
      button.setAttribute("aria-pressed", "true");
      say("msgLooking");
      return video.play().then(() => window.requestAnimationFrame(frame));
    }).catch(() => { stop(); say("msgNocamera"); });
  });

  box.querySelector("[data-sz-scan-file]").addEventListener("change", (e) => {
    const file = e.target.files && e.target.files[0];
    if (!file) return;
    say("msgLooking");
    window.createImageBitmap(file).then((image) => {
      const text = decode(image, image.width, image.height);
      if (!text) { say("msgNone"); return; }
      open(text);
    }).catch(() => say("msgNone"));
  });
})();
