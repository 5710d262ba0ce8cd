/* The grid worker's phone app (shanzhi/field): works with and without a connection.

   - The service worker (/sw.js, scope /field/) keeps the pages and assets; this script caches the four pages
     after the first visit online, and keeps the worker's roster (masked) in IndexedDB for offline lookup.
   - A form is checked with the server's own schema (validate.js), then put in the queue (IndexedDB, one store per
     user) with a client-made UUID, and the phone goes home, where the queue is shown and synced in order.
   - Sync: POST /api/field/sync in batches; the server writes each UUID once, so a retry after a dropped
     connection never duplicates. Each item shows its state: waiting, sent, refused with the reason, or a conflict
     with both versions and a choice. */
(function () {
  "use strict";
  const body = document.body;
  const root = document.querySelector("[data-sz-field]");
  if (!root || !window.idb) return;
  const T = JSON.parse(document.getElementById("sz-field-text").textContent);
  const uid = body.dataset.szUid || "anon";
  const BATCH = 50, BATCH_BYTES = 1500000, PHOTO_SIDE = 1280;
  let dbPromise = null, syncing = null, csrf = "";

  function db() {
    if (!dbPromise) {
      dbPromise = window.idb.openDB("sz-field-" + uid, 1, {
        upgrade(d) {
          d.createObjectStore("queue", { keyPath: "client_id" }).createIndex("seq", "seq");
          d.createObjectStore("roster");
        },
      });
    }
    return dbPromise;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  let seqCounter = 0;
  async function enqueue(kind, payload, summary) {
    const item = { client_id: newId(), seq: Date.now() * 1000 + (seqCounter++ % 1000), kind: kind, payload: payload,
                   summary: summary, state: "waiting", detail: "", created_at: new Date().toISOString() };
    await (await db()).put("queue", item);
    return item;
  }

  async function queueItems() {
    return (await db()).getAllFromIndex("queue", "seq");
  }

  async function roster() {
    return (await (await db()).get("roster", "current")) || null;
  }

  /* The roster with the households registered on this phone and not yet synced (id "c:<client id>"). */
  async function rosterWithPending() {
    const r = (await roster()) || { grids: [], buildings: [], dwellings: [], households: [] };
    const dwellings = new Map(r.dwellings.map((d) => [String(d.id), d]));
    const pending = (await queueItems()).filter((i) => i.kind === "household_create" && i.state === "waiting");
    const extra = pending.map((i) => {
      const d = dwellings.get(String(i.payload.dwelling)) || {};
      return { id: "c:" + i.client_id, number: i.payload.household_number, dwelling: i.payload.dwelling,
               address: d.label || "", region_code: d.region_code || "", kind: i.payload.kind, living_here: true,
               version: 0, members: [{ name: i.payload.name, id_number: "", phone: "", relation: "" }] };
    });
    return Object.assign({}, r, { households: r.households.concat(extra) });
  }

  /* --- sync ---------------------------------------------------------------------------------------------- */

  async function freshCsrf() {
    const r = await fetch("/api/field/session", { credentials: "same-origin", cache: "no-store" });
    if (!r.ok) throw new Error("session " + r.status);
    csrf = (await r.json()).csrf;
  }

  function batchOf(waiting) {
    const out = [];
    let size = 0;
    for (const item of waiting) {
      const n = JSON.stringify(item.payload).length;
      if (out.length && (out.length >= BATCH || size + n > BATCH_BYTES)) break;
      out.push(item); size += n;
    }
    return out;
  }

  async function store(item, answer) {
    const states = { done: "sent", refused: "refused", conflict: "conflict" };
    item.state = states[answer.status] || "refused";
    item.detail = answer.detail || "";
    item.answer = answer;
    await (await db()).put("queue", item);
    if (answer.status === "done" && answer.record && answer.record.type === "household" && item.kind === "household_update") {
      await patchHousehold(answer.record.id, { version: answer.record.version, kind: item.payload.kind,
                                               living_here: item.payload.living_here === "on" });
    }
  }

  async function send(batch) {
    const payload = { items: batch.map((i) => ({ client_id: i.client_id, kind: i.kind, payload: i.payload })) };
    const r = await fetch("/api/field/sync", {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: JSON.stringify(payload) });
    if (!r.ok) throw new Error("sync " + r.status);
    return (await r.json()).results;
  }

  async function syncOnce() {
    await freshCsrf();
    let sent = 0;
    for (;;) {
      const waiting = (await queueItems()).filter((i) => i.state === "waiting");
      if (!waiting.length) break;
      const batch = batchOf(waiting);
      const results = await send(batch);
      const byId = new Map(results.map((a) => [a.client_id, a]));
      for (const item of batch) {
        if (byId.has(item.client_id)) await store(item, byId.get(item.client_id));
      }
      sent += batch.length;
      await renderQueue();
    }
    return sent;
  }

  /* Sync what waits; one run at a time. A failure (no connection, server away) leaves the items waiting and
     tries again a little later while the phone thinks it is online. */
  function sync() {
    if (syncing) return syncing;
    syncing = (async () => {
      setStatus(T.syncing);
      try {
        const sent = await syncOnce();
        if (sent) await loadRoster();
        setStatus(navigator.onLine ? T.online : T.offline);
        body.dataset.szSynced = String(Date.now());
      } catch (e) {
        setStatus(T.sync_failed);
        if (navigator.onLine) setTimeout(sync, 5000);
      } finally {
        syncing = null;
        await renderQueue();
      }
    })();
    return syncing;
  }

  /* --- roster ---------------------------------------------------------------------------------------------- */

  async function loadRoster() {
    const r = await fetch("/api/field/roster", { credentials: "same-origin", cache: "no-store" });
    if (!r.ok) throw new Error("roster " + r.status);
    const data = await r.json();
    data.fetched_at = new Date().toISOString();
    await (await db()).put("roster", data, "current");
    await renderRosterStatus();
    return data;
  }

  async function patchHousehold(id, values) {
    const r = await roster();
    if (!r) return;
    for (const h of r.households) if (h.id === id) Object.assign(h, values);
    await (await db()).put("roster", r, "current");
  }

  async function renderRosterStatus() {
    const el = document.querySelector("[data-sz-roster-status]");
    if (!el) return;
    const r = await roster();
    el.textContent = r ? T.roster.replace("{h}", r.households.length).replace("{b}", r.buildings.length)
      .replace("{t}", new Date(r.fetched_at).toLocaleString("zh-CN")) : T.no_roster;
  }

  function setStatus(text) {
    const el = document.querySelector("[data-sz-net]");
    if (el) el.textContent = text;
  }

  /* --- the queue on the home page ------------------------------------------------------------------------ */

  const BADGES = { waiting: "sz-badge-info", sent: "sz-badge-ok", refused: "sz-badge-overdue",
                   conflict: "sz-badge-warn", resolved: "sz-badge-muted" };

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function yesNo(v) { return v ? T.yes : T.no; }

  function conflictBox(item) {
    const a = item.answer || {}, server = a.server || {}, mine = a.mine || {};
    const box = el("div", { class: "mt-2", "data-sz-conflict": item.client_id });
    box.appendChild(el("p", { class: "mb-1" }, T.conflict_intro));
    const table = el("table", { class: "table table-sm mb-2" });
    const head = el("tr");
    [T.field, T.server_version.replace("{v}", server.version), T.my_version].forEach((t) => head.appendChild(el("th", { scope: "col" }, t)));
    table.appendChild(head);
    [[T.kind, server.kind_label, mine.kind_label], [T.living_here, yesNo(server.living_here), yesNo(mine.living_here)]]
      .forEach((row) => {
        const tr = el("tr");
        row.forEach((c, i) => tr.appendChild(el(i ? "td" : "th", i ? {} : { scope: "row" }, c)));
        table.appendChild(tr);
      });
    box.appendChild(table);
    const keepMine = el("button", { type: "button", class: "btn btn-sm btn-primary me-2", "data-sz-keep": "mine" }, T.keep_mine);
    const keepServer = el("button", { type: "button", class: "btn btn-sm btn-outline-secondary", "data-sz-keep": "server" }, T.keep_server);
    keepMine.addEventListener("click", () => resolve(item, "mine"));
    keepServer.addEventListener("click", () => resolve(item, "server"));
    box.append(keepMine, keepServer);
    return box;
  }

  async function resolve(item, choice) {
    const server = (item.answer || {}).server || {};
    if (choice === "mine") {
      await enqueue(item.kind, Object.assign({}, item.payload, { version: String(server.version) }), item.summary);
      item.detail = T.resolved_mine;
    } else {
      await patchHousehold(Number(item.payload.household), { kind: server.kind, living_here: server.living_here,
                                                              version: server.version });
      item.detail = T.resolved_server;
    }
    item.state = "resolved";
    await (await db()).put("queue", item);
    await renderQueue();
    if (navigator.onLine) sync();
  }

  async function renderQueue() {
    const list = document.querySelector("[data-sz-queue]");
    if (!list) return;
    const items = await queueItems();
    list.replaceChildren();
    const counts = { waiting: 0, sent: 0, refused: 0, conflict: 0, resolved: 0 };
    for (const item of items) {
      counts[item.state] = (counts[item.state] || 0) + 1;
      const li = el("li", { class: "list-group-item", "data-sz-item": item.client_id, "data-sz-state": item.state,
                            "data-sz-kind": item.kind });
      const line = el("div", { class: "d-flex gap-2 align-items-start" });
      line.appendChild(el("span", { class: "badge text-nowrap flex-shrink-0 " + BADGES[item.state] }, T.states[item.state]));
      line.appendChild(el("span", { class: "flex-fill" }, T.kinds[item.kind] + "：" + (item.summary || "")));
      li.appendChild(line);
      if (item.detail) li.appendChild(el("div", { class: "small mt-1", "data-sz-detail": "" }, item.detail));
      if (item.state === "conflict") li.appendChild(conflictBox(item));
      list.appendChild(li);
    }
    const summary = document.querySelector("[data-sz-queue-summary]");
    if (summary) {
      summary.textContent = T.queue_summary.replace("{w}", counts.waiting).replace("{s}", counts.sent)
        .replace("{r}", counts.refused).replace("{c}", counts.conflict);
      summary.dataset.waiting = counts.waiting;
    }
    const empty = document.querySelector("[data-sz-queue-empty]");
    if (empty) empty.hidden = items.length > 0;
  }

  /* --- forms ----------------------------------------------------------------------------------------------- */

  function options(select, rows, current) {
    const first = select.querySelector("option[value='']");
    select.replaceChildren();
    select.appendChild(first || el("option", { value: "" }, T.choose));
    for (const [value, label] of rows) {
      const o = el("option", { value: String(value) }, label);
      if (String(value) === String(current)) o.selected = true;
      select.appendChild(o);
    }
  }

  function householdLabel(h) {
    return [h.number, h.address, h.members.length ? h.members[0].name : ""].filter(Boolean).join(" ");
  }

  async function fillSources(form) {
    const r = await rosterWithPending();
    const rows = {
      dwellings: r.dwellings.map((d) => [d.id, d.label]),
      buildings: r.buildings.map((b) => [b.id, b.name]),
      households: r.households.map((h) => [h.id, householdLabel(h)]),
    };
    form.querySelectorAll("[data-sz-source]").forEach((s) => {
      if (rows[s.dataset.szSource] && rows[s.dataset.szSource].length) options(s, rows[s.dataset.szSource], s.value);
    });
    return r;
  }

  function values(form) {
    const out = {};
    for (const e of form.elements) {
      if (!e.name || e.type === "file" || e.name === "csrfmiddlewaretoken") continue;
      if (e.type === "checkbox") out[e.name] = e.checked ? "on" : "";
      else out[e.name] = e.value;
    }
    return out;
  }

  function showProblems(form, problems) {
    form.querySelectorAll("[data-sz-client-error]").forEach((e) => e.remove());
    form.querySelectorAll("[aria-invalid]").forEach((e) => { e.removeAttribute("aria-invalid"); e.classList.remove("is-invalid"); });
    let first = null;
    for (const name in problems) {
      const input = form.elements[name];
      if (!input || !input.id) continue;
      const note = el("div", { class: "invalid-feedback d-block", id: input.id + "-error", "data-sz-client-error": "" },
                      problems[name]);
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== note.id);
      input.setAttribute("aria-describedby", described.concat([note.id]).join(" "));
      input.closest(".mb-3").appendChild(note);
      first = first || input;
    }
    if (first) first.focus();
    return !first;
  }

  const SUMMARY = {
    household_create: (v) => v.household_number + " " + v.name,
    visit_create: (v, form) => (form.elements.household.selectedOptions[0] || {}).textContent + " " + v.notes.slice(0, 20),
    case_create: (v) => v.title,
  };

  async function submit(form, schema, event) {
    event.preventDefault();
    const v = values(form);
    if (!showProblems(form, window.szValidate.validate(schema, v))) return;
    const payload = Object.assign({}, v);
    if (schema.kind === "case_create") payload.photos = photos.slice();
    await enqueue(schema.kind, payload, SUMMARY[schema.kind](v, form));
    if (schema.kind === "visit_create") await queueChange(form, v);
    window.location.href = root.dataset.szHome + "?saved=" + schema.kind;
  }

  /* --- per form ---------------------------------------------------------------------------------------------- */

  function nextNumber(r, code) {
    const grid = r.grids.find((g) => g.code === code);
    let n = grid ? Number(grid.next_number.slice(code.length)) : 1;
    for (const h of r.households) {
      if (h.number && h.number.startsWith(code) && h.number.length === code.length + 4) {
        n = Math.max(n, Number(h.number.slice(code.length)) + 1);
      }
    }
    return code + String(n).padStart(4, "0");
  }

  function householdForm(form, r) {
    const number = form.elements.household_number, suggested = form.elements.number_suggested;
    const dwelling = form.elements.dwelling;
    dwelling.addEventListener("change", () => {
      const d = r.dwellings.find((x) => String(x.id) === dwelling.value);
      if (d && suggested.value) number.value = nextNumber(r, d.region_code);
    });
    number.addEventListener("input", () => { suggested.value = ""; });
  }

  let photos = [];
  function caseForm(form) {
    const input = form.querySelector("[data-sz-photos]");
    const preview = form.querySelector("[data-sz-photo-preview]");
    if (!input) return;
    input.addEventListener("change", async () => {
      photos = [];
      preview.replaceChildren();
      for (const file of Array.from(input.files).slice(0, 3)) {
        const url = await shrink(file);
        photos.push(url);
        preview.appendChild(el("img", { src: url, alt: T.photo_alt, class: "sz-field-thumb" }));
      }
    });
  }

  async function shrink(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.8);
  }

  function visitForm(form, r) {
    const search = form.querySelector("[data-sz-search]");
    const results = form.querySelector("[data-sz-results]");
    const select = form.elements.household;
    const change = form.querySelector("[data-sz-change]");
    const pick = (h) => {
      select.value = String(h.id);
      results.replaceChildren(el("li", { class: "list-group-item active", "aria-current": "true" }, householdLabel(h)));
      h.members.forEach((m) => results.appendChild(el("li", { class: "list-group-item small" },
        [m.name, m.relation, m.id_number, m.phone].filter(Boolean).join(" · "))));
      if (change) {
        change.hidden = typeof h.id !== "number";
        change.querySelector("[name=change_kind]").value = h.kind;
        change.querySelector("[name=change_living_here]").checked = !!h.living_here;
      }
    };
    search.addEventListener("input", () => {
      const q = search.value.trim();
      results.replaceChildren();
      if (!q) return;
      const hits = r.households.filter((h) => householdLabel(h).indexOf(q) >= 0 ||
        h.members.some((m) => m.name.indexOf(q) >= 0)).slice(0, 8);
      for (const h of hits) {
        const li = el("li", { class: "list-group-item p-0" });
        const b = el("button", { type: "button", class: "btn btn-ghost-primary w-100 justify-content-start text-start",
                                 "data-sz-pick": String(h.id) }, householdLabel(h));
        b.addEventListener("click", () => pick(h));
        li.appendChild(b);
        results.appendChild(li);
      }
      if (!hits.length) results.appendChild(el("li", { class: "list-group-item" }, T.no_match));
    });
    form.szPicked = () => r.households.find((h) => String(h.id) === select.value);
  }

  async function queueChange(form, v) {
    const change = form.querySelector("[data-sz-change]");
    const h = form.szPicked && form.szPicked();
    if (!change || change.hidden || !h) return;
    const kind = change.querySelector("[name=change_kind]").value;
    const living = change.querySelector("[name=change_living_here]").checked;
    if (kind === h.kind && living === !!h.living_here) return;
    const labels = T.household_kinds;
    await enqueue("household_update", { household: String(h.id), version: String(h.version), kind: kind,
                                        kind_label: labels[kind], living_here: living ? "on" : "" },
                  h.number + " " + labels[kind] + " " + (living ? T.living : T.not_living));
    void v;
  }

  async function setUpForm(form) {
    const schema = JSON.parse(document.getElementById("sz-field-schema").textContent);
    const r = await fillSources(form);
    if (schema.kind === "household_create") householdForm(form, r);
    if (schema.kind === "visit_create") visitForm(form, r);
    if (schema.kind === "case_create") caseForm(form);
    form.addEventListener("submit", (e) => submit(form, schema, e));
    form.noValidate = true;
    form.dataset.szReady = "1";
  }

  /* --- start ------------------------------------------------------------------------------------------------- */

  async function cachePages() {
    if (!("caches" in window)) return;
    const pages = JSON.parse(root.dataset.szPages || "[]");
    const cache = await caches.open("sz-field-pages");
    await Promise.all(pages.map(async (url) => {
      try {
        const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
        if (r.ok && !r.redirected) await cache.put(url, r);
      } catch (e) { /* offline: keep the copy we have */ }
    }));
  }

  async function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    await navigator.serviceWorker.register("/sw.js", { scope: root.dataset.szHome });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => {
        navigator.serviceWorker.addEventListener("controllerchange", ok, { once: true });
        setTimeout(ok, 3000);
      });
    }
  }

  async function startHome() {
    await renderQueue();
    await renderRosterStatus();
    const button = document.querySelector("[data-sz-sync]");
    if (button) button.addEventListener("click", () => sync());
    if (navigator.onLine) {
      await registerWorker().catch(() => {});
      await sync();
      if (!(await roster())) await loadRoster().catch(() => {});
      await cachePages();
    } else {
      setStatus(T.offline);
    }
    body.dataset.szReady = "1";
  }

  window.addEventListener("online", () => { setStatus(T.online); sync(); });
  window.addEventListener("offline", () => setStatus(T.offline));
  setStatus(navigator.onLine ? T.online : T.offline);
  const form = document.querySelector("form[data-sz-field-form]");
  if (form) setUpForm(form);
  else startHome();
})();
