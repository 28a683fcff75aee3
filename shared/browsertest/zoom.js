// Emulates the in-app browser's text-size setting: every font size times FACTOR, as
// WeChat's text zoom does to px sizes. Then the page must not scroll sideways and no two
// pieces of text may overlap. Returns the failures.
((factor) => {
  const all = Array.from(document.querySelectorAll('body, body *'));
  const sizes = all.map((el) => parseFloat(getComputedStyle(el).fontSize));
  all.forEach((el, i) => { el.style.fontSize = (sizes[i] * factor) + 'px'; });
  const failures = [];
  if (document.documentElement.scrollWidth > screen.width + 1) {
    failures.push(`text at ${factor * 100}%: page scrolls sideways (${document.documentElement.scrollWidth}px on a ${screen.width}px phone)`);
  }
  // Line boxes of the elements that hold text directly.
  const boxes = [];
  for (const el of all) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.nodeValue.trim())) continue;
    if (el.closest('option, script, style, select')) continue;
    if (!el.checkVisibility()) continue; // the content of a closed <details> keeps stale boxes

    for (const r of el.getClientRects()) if (r.width > 0 && r.height > 0) boxes.push({ el, r });
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) {
        failures.push(`text at ${factor * 100}%: "${a.el.textContent.trim().slice(0, 16)}" overlaps "${b.el.textContent.trim().slice(0, 16)}"`);
        if (failures.length > 10) return failures;
      }
    }
  }
  return failures;
})
