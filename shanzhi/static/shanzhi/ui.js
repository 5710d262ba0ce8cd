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
    if (target) target.classList.toggle("show");
  });

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
      if (out) out.textContent = form.elements.lat.value + ", " + form.elements.lng.value;
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

  document.addEventListener("DOMContentLoaded", () => {
    if (window.history.length < 2) document.querySelectorAll("[data-sz-back]").forEach((b) => { b.hidden = true; });
    document.querySelectorAll("[data-sz-rating]").forEach((group) => {
      paintRating(group, +group.closest("form").elements.score.value);
    });
  });
})();
