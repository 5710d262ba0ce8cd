"""The accessibility audit shared by tests/test_a11y.py and bench/page_weight.py: axe-core (from node_modules,
evaluated in the page, so the Content-Security-Policy needs no exception) with the WCAG 2.0/2.1 A and AA rules,
and the scripted checks axe does not make: landmarks, one h1, the skip link, the status region htmx swaps are
announced in, the focus ring's contrast on the first tab stops, and 44 px targets in the elder mode."""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    return AXE_JS.read_text()


def axe_violations(page) -> list[dict]:
    """axe's WCAG 2.x A/AA violations on the page as it is now: [{id, impact, help, nodes: [selector…]}]."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
                                                count: v.nodes.length})))""",
        WCAG_TAGS,
    )
    return result


STRUCTURE_JS = """() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const mains = document.querySelectorAll('main, [role=main]');
  if (mains.length !== 1) problems.push('landmarks: ' + mains.length + ' main elements');
  if (document.querySelector('[data-sz-toggle], .sz-subnav') && !document.querySelector('nav, [role=navigation]'))
    problems.push('landmarks: a menu without a nav landmark');
  const h1 = document.querySelectorAll('h1');
  if (h1.length !== 1) problems.push('h1: ' + h1.length + ' h1 elements');
  // a print document (body[data-sz-doc=print]) is one sheet: no menu to skip, no htmx
  const printDoc = document.body.dataset.szDoc === 'print';
  const skip = document.querySelector('a.sz-skip');
  const target = skip && document.querySelector(skip.getAttribute('href'));
  if (!printDoc && (!skip || !target)) problems.push('skip link: missing or pointing nowhere');
  const live = document.getElementById('sz-live');
  if (!printDoc && (!live || live.getAttribute('role') !== 'status' || live.getAttribute('aria-live') !== 'polite'))
    problems.push('live region: #sz-live status region missing');
  document.querySelectorAll('[hx-target]').forEach((el) => {
    const sel = el.getAttribute('hx-target');
    if (/^(this|closest|find|next|previous)/.test(sel)) return;
    const t = document.querySelector(sel);
    if (!t) problems.push('htmx: target ' + sel + ' missing');
  });
  const toggler = document.querySelector('.navbar-toggler');
  if (toggler && visible(toggler) && (!toggler.hasAttribute('aria-expanded') || !toggler.hasAttribute('aria-controls')))
    problems.push('menu button: no aria-expanded/aria-controls');
  document.querySelectorAll('[aria-describedby]').forEach((el) => {
    el.getAttribute('aria-describedby').split(/\\s+/).forEach((id) => {
      if (id && !document.getElementById(id)) problems.push('aria-describedby: #' + id + ' missing');
    });
  });
  document.querySelectorAll('[data-sz-chart]').forEach((el) => {
    if (!el.getAttribute('aria-label')) problems.push('chart ' + (el.id || '') + ': no label');
    if (window.echarts && window.echarts.getInstanceByDom(el) && !(el.nextElementSibling && el.nextElementSibling.matches('.sz-chart-table')))
      problems.push('chart ' + (el.id || '') + ': no data table');
  });
  document.querySelectorAll('canvas').forEach((c) => {
    if (!c.closest('[data-sz-chart]')) problems.push('canvas without a [data-sz-chart] container');
  });
  if (document.querySelector('select[data-sz-autosubmit]')) problems.push('a select submits itself on change');
  return problems;
}"""

# colour contrast of the focus indicator against what is behind the element
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // any CSS colour (rgb, color(srgb …), oklab from Tabler's color-mix) → [r, g, b, a] through a 1×1 canvas
  const cv = document.createElement('canvas'); cv.width = cv.height = 1;
  const cx = cv.getContext('2d', {willReadFrequently: true});
  const parse = (c) => { cx.clearRect(0, 0, 1, 1); cx.fillStyle = '#000'; cx.fillStyle = c; cx.fillRect(0, 0, 1, 1);
    const d = cx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  let bg = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c[3] > 0.5) { bg = c.slice(0, 3); break; }
  }
  const s = getComputedStyle(el);
  const width = parseFloat(s.outlineWidth) || 0;
  const ring = parse(s.outlineColor);
  const outline = s.outlineStyle !== 'none' && width >= 2 && ring[3] > 0.9 ? ratio(ring.slice(0, 3), bg) : 0;
  const label = (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.innerText || el.value || el.name || '').trim()).slice(0, 40);
  return {label, outline: Math.round(outline * 100) / 100, width};
}"""

TARGETS_JS = """(min) => {
  const small = [];
  const seen = new Set();
  document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]').forEach((el) => {
    let box = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) box = el.closest('label') || el;
    if (seen.has(box)) return;
    seen.add(box);
    const r = box.getBoundingClientRect();
    const s = getComputedStyle(box);
    if (!r.width || !r.height || s.visibility === 'hidden') return;
    if (box.closest('.leaflet-container, .sz-sr-only, .visually-hidden, .sz-skip')) return;
    if (r.width < min - 0.5 || r.height < min - 0.5)
      small.push((box.tagName.toLowerCase() + ' ' + (box.innerText || box.value || box.name || '').trim()).slice(0, 30) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  });
  return small;
}"""


def structure_problems(page) -> list[str]:
    return page.evaluate(STRUCTURE_JS)


def focus_problems(page, stops: int = 8) -> list[str]:
    """Tab from the top through the first `stops` stops: the first is the skip link, every ring is ≥ 3:1."""
    problems = []
    # an autofocused field (login, the check-in desk) starts the tab order; a print sheet has no skip link
    first_is_skip = page.evaluate("!document.querySelector('[autofocus]') && document.body.dataset.szDoc !== 'print'")
    # measure the ring as it ends up, not mid-way through a colour transition
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.mouse.move(0, 0)
    for i in range(stops):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_JS)
        if info is None:
            break
        if i == 0 and first_is_skip and "sz-skip" not in (page.evaluate("document.activeElement.className") or ""):
            problems.append(f"skip link is not the first tab stop ({info['label']})")
        if info["outline"] < 3:
            problems.append(f"focus ring {info['outline']}:1 ({info['width']}px) on {info['label']}")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return problems


def small_targets(page, minimum: int = 44) -> list[str]:
    return page.evaluate(TARGETS_JS, minimum)
