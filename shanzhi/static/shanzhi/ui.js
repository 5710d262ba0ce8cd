// Small page behaviours, wired by data- attributes so that no template needs inline script or
// inline event handlers (the Content-Security-Policy allows scripts from our own origin only).
//   data-sz-toggle="#id"         button: toggles the "show" class on the target
//   data-sz-dropdown             wrapper: its .dropdown-toggle opens the .dropdown-menu; a click outside closes it
//   data-sz-autosubmit           select: submits its form on change
//   data-sz-navigate="param"     select: reloads the page with ?param=<value> on change
//   data-sz-print                button: opens the print dialog
//   data-sz-back                 button: goes back one page (hidden when there is no page to go back to)
//   data-sz-locate               button: fills the form's lat/lng inputs from the device position
//   data-sz-route-add            button: appends the device position to the form's route input (JSON list)
//   data-sz-rating               group of buttons with data-score: sets the form's score input
//   data-sz-check                inspection item: marks itself failed while its "0" radio is chosen
//   data-sz-error-summary        a form's error summary: focused after a failed submit
//   data-sz-chart                a chart container: gets a "以表格查看" data table built from its ECharts option
//   data-sz-draft / data-sz-no-draft  POST forms in <main> keep a local draft (not data-sz-sensitive fields)
//   data-sz-filters              a list page's filter bar (GET form): on phones folded behind one 筛选 button
//                                (the label from the body's data-sz-filters-label; the count of filters set)
//   data-sz-idle (on body)       seconds until the idle logout: warns 2 minutes before, 继续使用 extends
// htmx swaps are announced in the #sz-live status region (unless the target is a live region itself).
(function () {
  "use strict";

  function on(selector, event, handler) {
    document.addEventListener(event, (e) => {
      const el = e.target.closest && e.target.closest(selector);
      if (el) handler(el, e);
    });
  }

  function position(done) {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(done);
  }

  on("[data-sz-toggle]", "click", (el) => {
    const target = document.querySelector(el.dataset.szToggle);
    if (!target) return;
    const open = target.classList.toggle("show");
    el.setAttribute("aria-expanded", String(open));
  });

  function announce(text) {
    const live = document.getElementById("sz-live");
    if (!live || !text) return;
    live.textContent = "";
    window.setTimeout(() => { live.textContent = text; }, 50);
  }
  window.szAnnounce = announce;

  on("[data-sz-dropdown] .dropdown-toggle", "click", (el) => {
    el.closest("[data-sz-dropdown]").querySelector(".dropdown-menu").classList.toggle("show");
  });
  document.addEventListener("click", (e) => {
    document.querySelectorAll("[data-sz-dropdown] .dropdown-menu.show").forEach((menu) => {
      if (!menu.parentElement.contains(e.target)) menu.classList.remove("show");
    });
  });

  on("select[data-sz-autosubmit]", "change", (el) => el.form.submit());

  on("select[data-sz-navigate]", "change", (el) => {
    const params = new URLSearchParams();
    params.set(el.dataset.szNavigate, el.value);
    window.location.search = params.toString();
  });

  on("[data-sz-print]", "click", () => window.print());

  on("[data-sz-back]", "click", () => window.history.back());

  on("[data-sz-locate]", "click", (el) => {
    const form = el.form;
    position((p) => {
      form.elements.lat.value = p.coords.latitude.toFixed(6);
      form.elements.lng.value = p.coords.longitude.toFixed(6);
      const out = form.querySelector("[data-sz-locate-out]");
      if (out) out.textContent = (out.dataset.szPrefix || "") + form.elements.lat.value + ", " + form.elements.lng.value;
      if (window.htmx && document.getElementById("id_category")) htmx.trigger("#id_category", "change");
    });
  });

  on("[data-sz-route-add]", "click", (el) => {
    const form = el.form;
    position((p) => {
      const route = JSON.parse(form.elements.route.value || "[]");
      route.push([+p.coords.latitude.toFixed(6), +p.coords.longitude.toFixed(6), new Date().toTimeString().slice(0, 5)]);
      form.elements.route.value = JSON.stringify(route);
      const out = form.querySelector("[data-sz-route-out]");
      if (out) out.textContent = route.length + " " + out.dataset.szUnit;
    });
  });

  function paintRating(group, score) {
    group.querySelectorAll("[data-score]").forEach((b) => {
      b.classList.toggle("btn-warning", score >= +b.dataset.score);
      b.setAttribute("aria-pressed", String(score === +b.dataset.score));
    });
  }
  on("[data-sz-rating] [data-score]", "click", (el) => {
    const group = el.closest("[data-sz-rating]");
    group.closest("form").elements.score.value = el.dataset.score;
    paintRating(group, +el.dataset.score);
  });

  on("[data-sz-check] input[type=radio]", "change", (el) => {
    const item = el.closest("[data-sz-check]");
    const failed = el.checked && el.value === "0";
    item.classList.toggle("sz-failed", failed);
    const note = item.querySelector(".sz-check-note");
    if (note) note.required = failed;
  });

  // --- htmx: announce what changed -------------------------------------------------------------------
  document.addEventListener("htmx:afterSettle", (e) => {
    const target = e.detail && e.detail.target;
    if (!target || target.closest("[aria-live]") || /every /.test(e.detail.elt?.getAttribute?.("hx-trigger") || "")) return;
    const text = target.dataset.szAnnounce || (target.innerText || "").trim().slice(0, 140);
    announce(text || (document.documentElement.lang.startsWith("en") ? "Updated" : "内容已更新"));
  });

  // --- charts: a data table under each chart (1.1.1) ----------------------------------------------------
  function cell(row, text, head) {
    const c = document.createElement(head ? "th" : "td");
    if (head) c.scope = head;
    c.textContent = text == null ? "—" : Array.isArray(text) ? text.join(" / ") : String(text);
    row.appendChild(c);
  }
  function chartTable(el) {
    const chart = window.echarts && window.echarts.getInstanceByDom(el);
    if (!chart || el.nextElementSibling?.classList.contains("sz-chart-table")) return;
    const opt = chart.getOption();
    const series = (opt.series || []).filter((s) => Array.isArray(s.data));
    if (!series.length) return;
    const table = document.createElement("table");
    table.className = "table table-sm mb-0";
    const cap = document.createElement("caption");
    cap.textContent = el.getAttribute("aria-label") || "";
    table.appendChild(cap);
    const head = table.createTHead().insertRow();
    const body = table.createTBody();
    const axis = [].concat(opt.xAxis || [], opt.yAxis || []).find((a) => a.type === "category" && a.data);
    const value = (v) => (v && typeof v === "object" && "value" in v ? v.value : v);
    if (axis) {
      cell(head, "", "col");
      series.forEach((s) => cell(head, s.name || "", "col"));
      axis.data.forEach((label, i) => {
        const r = body.insertRow();
        cell(r, value(label), "row");
        series.forEach((s) => { const v = value(s.data[i]); cell(r, typeof v === "number" ? Math.abs(v) : v); });
      });
    } else {
      series.forEach((s) => s.data.forEach((d) => {
        const r = body.insertRow();
        cell(r, d && d.name, "row");
        cell(r, value(d));
      }));
    }
    const box = document.createElement("details");
    box.className = "sz-chart-table";
    const summary = document.createElement("summary");
    summary.textContent = el.dataset.szTableLabel || (document.documentElement.lang.startsWith("en") ? "Show as a table" : "以表格查看");
    const wrap = document.createElement("div");
    wrap.className = "table-responsive";
    wrap.appendChild(table);
    box.append(summary, wrap);
    el.after(box);
  }
  window.addEventListener("load", () => document.querySelectorAll("[data-sz-chart]").forEach(chartTable));

  // --- drafts: a form being filled survives a timeout (never ID numbers or phones) -------------------------
  const SENSITIVE = /(id_?number|id_?card|idno|phone|mobile|^tel$|password|token|otp|secret|csrf)/i;
  const DRAFT_DAYS = 1;
  function draftForms() {
    return Array.from(document.querySelectorAll("main form[method=post], main form[data-sz-draft]"))
      .filter((f) => !f.hasAttribute("data-sz-no-draft") && f.querySelector("textarea, input[type=text], input:not([type])"));
  }
  function draftKey(form, i) {
    return "sz-draft:" + (document.body.dataset.szUid || "anon") + ":" + window.location.pathname + ":" + i;
  }
  function keepable(el) {
    if (!el.name || el.disabled || el.hasAttribute("data-sz-sensitive") || SENSITIVE.test(el.name)) return false;
    return !["password", "hidden", "file", "submit", "button"].includes(el.type);
  }
  function saveDraft(form, i) {
    const data = {};
    Array.from(form.elements).filter(keepable).forEach((el) => {
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) (data[el.name] = data[el.name] || []).push(el.value); }
      else if (el.value) data[el.name] = el.value;
    });
    try { localStorage.setItem(draftKey(form, i), JSON.stringify({ at: Date.now(), data })); } catch (err) { /* storage full or off */ }
  }
  function restoreDraft(form, i) {
    let saved;
    try { saved = JSON.parse(localStorage.getItem(draftKey(form, i)) || "null"); } catch (err) { saved = null; }
    if (!saved || Date.now() - saved.at > DRAFT_DAYS * 864e5) return;
    if (form.querySelector("[aria-invalid=true]")) return; // the server sent the form back with its own values
    let restored = 0;
    Array.from(form.elements).filter(keepable).forEach((el) => {
      const v = saved.data[el.name];
      if (v == null) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = [].concat(v).includes(el.value);
      else if (!el.value || el.tagName === "SELECT") { el.value = v; restored += 1; }
    });
    if (restored) announce(document.body.dataset.szDraftRestored || "已恢复您上次未提交的内容");
  }
  function clearDrafts(all) {
    Object.keys(localStorage).filter((k) => k.startsWith("sz-draft:") && (all || k.includes(":" + window.location.pathname + ":")))
      .forEach((k) => localStorage.removeItem(k));
  }
  window.szSaveDrafts = () => draftForms().forEach(saveDraft);

  // --- idle timeout warning (2.2.1) ------------------------------------------------------------------------
  function idleWatch() {
    const body = document.body;
    const idle = +body.dataset.szIdle;
    const box = document.getElementById("sz-timeout");
    if (!idle || !box) return;
    const text = document.getElementById("sz-timeout-text");
    const warnAt = Math.max(idle - 120, 0) * 1000;
    let start = Date.now();
    let returnFocus = null;
    const tick = () => {
      const left = idle * 1000 - (Date.now() - start);
      if (left <= 0) {
        window.szSaveDrafts();
        window.location.href = body.dataset.szLogin + "?next=" + encodeURIComponent(window.location.pathname);
        return;
      }
      if (Date.now() - start >= warnAt) {
        text.textContent = text.dataset.szTemplate.replace("{s}", Math.ceil(left / 1000));
        if (box.hidden) {
          window.szSaveDrafts();
          returnFocus = document.activeElement;
          box.hidden = false;
          box.querySelector("[data-sz-extend-now]").focus();
        }
      }
    };
    const reset = () => { start = Date.now(); };
    window.setInterval(tick, 1000);
    document.addEventListener("htmx:afterRequest", reset);
    on("[data-sz-extend-now]", "click", () => {
      const headers = JSON.parse(body.getAttribute("hx-headers") || "{}");
      fetch(body.dataset.szExtend, { method: "POST", credentials: "same-origin", headers })
        .then((r) => {
          if (!r.ok || r.redirected) throw new Error("expired");
          reset();
          box.hidden = true;
          if (returnFocus && returnFocus.focus) returnFocus.focus();
          announce(box.dataset.szExtended || "已延长登录时间");
        })
        .catch(() => { window.location.href = body.dataset.szLogin + "?next=" + encodeURIComponent(window.location.pathname); });
    });
    window.szIdle = { reset, tick };
  }

  function foldFilters() {
    if (!window.matchMedia("(max-width: 767.98px)").matches) return;
    document.querySelectorAll("form[data-sz-filters]").forEach((form, i) => {
      const fields = [...form.elements].filter((el) => el.name && el.type !== "hidden" && el.type !== "submit");
      const set = fields.filter((el) => (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value).length;
      if (!form.id) form.id = "sz-filters-" + i;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn w-100 mb-3 sz-filter-toggle";
      button.setAttribute("aria-controls", form.id);
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("data-testid", "filter-toggle");
      button.textContent = (document.body.dataset.szFiltersLabel || "筛选") + (set ? " (" + set + ")" : "");
      form.classList.add("sz-folded");
      form.before(button);
    });
  }
  on(".sz-filter-toggle", "click", (el) => {
    const form = document.getElementById(el.getAttribute("aria-controls"));
    if (!form) return;
    const open = !form.classList.toggle("sz-folded");
    el.setAttribute("aria-expanded", String(open));
  });

  document.addEventListener("DOMContentLoaded", () => {
    foldFilters();
    const summary = document.querySelector("[data-sz-error-summary]");
    if (summary) {
      // after a failed submit the summary, not an autofocused field, takes the focus (the browser runs autofocus
      // after this handler, so focus again once it has)
      document.querySelectorAll("[autofocus]").forEach((el) => el.removeAttribute("autofocus"));
      summary.focus();
      window.requestAnimationFrame(() => window.requestAnimationFrame(() => summary.focus()));
    }
    const submitted = sessionStorage.getItem("sz-submitted");
    if (submitted && !summary && !document.querySelector("[data-sz-keep-drafts]")) {
      try { localStorage.removeItem(submitted); } catch (err) { /* off */ }
      sessionStorage.removeItem("sz-submitted");
    }
    draftForms().forEach((form, i) => {
      restoreDraft(form, i);
      let pending = null;
      form.addEventListener("input", () => { window.clearTimeout(pending); pending = window.setTimeout(() => saveDraft(form, i), 400); });
      form.addEventListener("change", () => saveDraft(form, i));
      // kept until the next page shows the submit went through (a timed-out session lands on the login page)
      form.addEventListener("submit", () => { window.clearTimeout(pending); saveDraft(form, i); sessionStorage.setItem("sz-submitted", draftKey(form, i)); });
    });
    on("form[data-sz-logout]", "submit", () => { try { clearDrafts(true); } catch (err) { /* off */ } });
    idleWatch();
    if (window.history.length < 2) document.querySelectorAll("[data-sz-back]").forEach((b) => { b.hidden = true; });
    document.querySelectorAll("[data-sz-rating]").forEach((group) => {
      paintRating(group, +group.closest("form").elements.score.value);
    });
  });
})();
