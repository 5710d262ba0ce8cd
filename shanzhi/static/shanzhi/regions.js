// 照片打码: rectangles drawn over a photo by mouse, pen or finger (pointer events), listed beside it with
// numeric inputs (the keyboard way to add or adjust one) and a remove button each. Coordinates are fractions of
// the picture's width and height, so any display size works; the form posts them as JSON in its hidden
// `regions` input, and the server blurs them (core.privacy.blur_regions). No framework, no inline script.
//   [data-sz-regions]        the container around the <img>; data-min / data-max: smallest size, most regions
//   [data-sz-regions-form]   the form: [data-sz-regions-input], [data-sz-regions-list], [data-sz-regions-add]
//   #sz-regions-initial      JSON list of {x, y, w, h, kind} to start from (saved or suggested regions)
//   #sz-region-row           <template> of one row in the list

const canvas = document.querySelector("[data-sz-regions]");
const form = document.querySelector("[data-sz-regions-form]");

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}

function round(v) {
  return Math.round(v * 10000) / 10000;
}

function label(kind) {
  const el = document.querySelector(`[data-sz-label-${kind}]`) || document.querySelector("[data-sz-label-manual]");
  return el ? el.textContent : kind;
}

if (canvas && form) {
  const min = parseFloat(canvas.dataset.min || "0.005");
  const max = parseInt(canvas.dataset.max || "50", 10);
  const input = form.querySelector("[data-sz-regions-input]");
  const list = form.querySelector("[data-sz-regions-list]");
  const empty = form.querySelector("[data-sz-regions-empty]");
  const rowTemplate = document.getElementById("sz-region-row");
  const initial = document.getElementById("sz-regions-initial");
  let regions = initial ? JSON.parse(initial.textContent) : [];
  let draft = null;

  function sync() {
    input.value = JSON.stringify(regions.map((r) => [round(r.x), round(r.y), round(r.w), round(r.h)]));
    canvas.querySelectorAll(".sz-region").forEach((el) => el.remove());
    regions.forEach((r, i) => {
      const box = document.createElement("div");
      box.className = "sz-region";
      place(box, r);
      const tag = document.createElement("span");
      tag.className = "sz-region-label";
      tag.textContent = String(i + 1);
      box.appendChild(tag);
      box.dataset.testid = "region-box";
      canvas.appendChild(box);
    });
    list.replaceChildren(...regions.map(row));
    if (empty) empty.hidden = regions.length > 0;
  }

  function place(el, r) {
    el.style.left = `${r.x * 100}%`;
    el.style.top = `${r.y * 100}%`;
    el.style.width = `${r.w * 100}%`;
    el.style.height = `${r.h * 100}%`;
  }

  function row(r, i) {
    const li = rowTemplate.content.firstElementChild.cloneNode(true);
    li.querySelector("[data-sz-region-title]").textContent = `${i + 1}. ${label(r.kind || "manual")}`;
    li.querySelectorAll("[data-sz-field]").forEach((field) => {
      const key = field.dataset.szField;
      field.value = (r[key] * 100).toFixed(1);
      field.addEventListener("change", () => {
        const v = parseFloat(field.value);
        if (!Number.isFinite(v)) return;
        const f = v / 100;
        if (key === "x") r.x = clamp(f, 0, 1 - r.w);
        if (key === "y") r.y = clamp(f, 0, 1 - r.h);
        if (key === "w") r.w = clamp(f, min, 1 - r.x);
        if (key === "h") r.h = clamp(f, min, 1 - r.y);
        sync();
        const again = list.children[i] && list.children[i].querySelector(`[data-sz-field=${key}]`);
        if (again) again.focus();
      });
    });
    li.querySelector("[data-sz-region-remove]").addEventListener("click", () => {
      regions.splice(i, 1);
      sync();
      const next = list.querySelector("[data-sz-region-remove]") || form.querySelector("[data-sz-regions-add]");
      if (next) next.focus();
    });
    return li;
  }

  function point(event) {
    const rect = canvas.getBoundingClientRect();
    return {
      x: clamp((event.clientX - rect.left) / rect.width, 0, 1),
      y: clamp((event.clientY - rect.top) / rect.height, 0, 1),
    };
  }

  function box(a, b) {
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || regions.length >= max) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const el = document.createElement("div");
    el.className = "sz-region sz-draft";
    canvas.appendChild(el);
    draft = { start: point(event), el, id: event.pointerId };
    place(el, box(draft.start, draft.start));
  });

  canvas.addEventListener("pointermove", (event) => {
    if (!draft || event.pointerId !== draft.id) return;
    place(draft.el, box(draft.start, point(event)));
  });

  function finish(event, keep) {
    if (!draft || event.pointerId !== draft.id) return;
    const r = box(draft.start, point(event));
    draft.el.remove();
    draft = null;
    if (keep && r.w >= min && r.h >= min) {
      regions.push({ ...r, kind: "manual" });
    }
    sync();
  }

  canvas.addEventListener("pointerup", (event) => finish(event, true));
  canvas.addEventListener("pointercancel", (event) => finish(event, false));

  form.querySelector("[data-sz-regions-add]").addEventListener("click", () => {
    if (regions.length >= max) return;
    regions.push({ x: 0.4, y: 0.4, w: 0.2, h: 0.2, kind: "manual" });
    sync();
    const fields = list.lastElementChild && list.lastElementChild.querySelector("[data-sz-field=x]");
    if (fields) fields.focus();
  });

  form.addEventListener("submit", sync);
  sync();
}
