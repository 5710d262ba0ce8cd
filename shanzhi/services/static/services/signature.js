// The signature pad of the 代办 hand-back: the resident signs on the clerk's screen with a finger or a mouse;
// on submit the drawing goes to the hidden signature_data field as a PNG data URL.
(function () {
  document.querySelectorAll("form[data-sz-signature-form]").forEach((form) => {
    const canvas = form.querySelector("canvas[data-sz-signature]");
    const field = form.querySelector("input[name=signature_data]");
    if (!canvas || !field) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * ratio;
    canvas.height = canvas.clientHeight * ratio;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#1d273b";
    let drawing = false;
    let drawn = false;
    const at = (e) => {
      const r = canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", (e) => {
      drawing = true;
      ctx.beginPath();
      ctx.moveTo(...at(e));
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      ctx.lineTo(...at(e));
      ctx.stroke();
      drawn = true;
    });
    ["pointerup", "pointercancel"].forEach((t) => canvas.addEventListener(t, () => { drawing = false; }));
    const clear = form.querySelector("[data-sz-signature-clear]");
    if (clear) clear.addEventListener("click", () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      field.value = "";
    });
    form.addEventListener("submit", () => { field.value = drawn ? canvas.toDataURL("image/png") : ""; });
  });
})();
