// Measures the page against the 长辈版 rules (MIIT 2021 适老化, WeChat 关怀模式) of the
// version it is shown in: every visible text's font size (no maximum inside
// [data-display], a screen read at arm's length), line height and contrast, every
// control's size, no sideways scrolling, and in 长辈版, when asked, one column. Returns
// the figures and the failures.
((oneColumn) => {
  const elder = document.documentElement.classList.contains('elder');
  const rule = elder
    ? { text: 18, heading: 30, lineHeight: 1.3, contrast: 4.5, tap: 60 }
    : { text: 14, heading: 30, lineHeight: 1.3, contrast: 4.5, tap: 44 };
  const failures = [];
  const rgba = (c) => {
    const m = c.match(/rgba?\(([^)]*)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const background = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(e);
    let bg = [255, 255, 255, 1];
    for (const e of chain.reverse()) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) bg = over(c, bg);
    }
    return bg;
  };
  const shown = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility !== 'visible' || s.display === 'none' || parseFloat(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 24);
    return el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : '') + ' "' + text + '"';
  };

  // Texts: each element holding visible text, once.
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue.trim()) continue;
    const el = n.parentElement;
    if (!el || el.closest('option, script, style, noscript, template')) continue;
    texts.add(el);
  }
  document.querySelectorAll('select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea').forEach((el) => texts.add(el));
  let minFont = Infinity, maxFont = 0, minLine = Infinity, minContrast = Infinity, counted = 0;
  for (const el of texts) {
    if (!shown(el)) continue;
    counted++;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    // A select or a one-line field shows one line: its line height is the control's.
    const oneLine = el.matches('select, input');
    const line = oneLine ? Infinity : s.lineHeight === 'normal' ? 1.2 : parseFloat(s.lineHeight) / size;
    const bg = background(el);
    const fg = over(rgba(s.color), bg);
    const l1 = luminance(fg), l2 = luminance(bg);
    const contrast = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    minFont = Math.min(minFont, size); maxFont = Math.max(maxFont, size);
    if (!oneLine) minLine = Math.min(minLine, line); minContrast = Math.min(minContrast, contrast);
    if (size < rule.text - 0.01) failures.push(`text ${name(el)}: font size ${size}px < ${rule.text}px`);
    if (size > rule.heading + 0.01 && !el.closest('[data-display]')) failures.push(`text ${name(el)}: font size ${size}px > ${rule.heading}px`);
    if (line < rule.lineHeight - 0.01) failures.push(`text ${name(el)}: line height ${line.toFixed(2)} < ${rule.lineHeight}`);
    if (contrast < rule.contrast - 0.005) failures.push(`text ${name(el)}: contrast ${contrast.toFixed(2)}:1 < ${rule.contrast}:1`);
  }

  // Controls: links, buttons, fields; a checkbox or radio is its label.
  let minW = Infinity, minH = Infinity, controls = 0;
  const seen = new Set();
  document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]').forEach((el) => {
    if (el.matches('input[type=checkbox], input[type=radio]')) el = el.closest('label, .choice') || el;
    if (seen.has(el) || !shown(el)) return;
    seen.add(el);
    controls++;
    const r = el.getBoundingClientRect();
    minW = Math.min(minW, r.width); minH = Math.min(minH, r.height);
    if (r.width < rule.tap - 0.5 || r.height < rule.tap - 0.5) {
      failures.push(`control ${name(el)}: ${Math.round(r.width)}×${Math.round(r.height)} px < ${rule.tap}×${rule.tap} px`);
    }
  });

  // 长辈版 is one column (when ONECOLUMN): no two controls of the page's content side by
  // side (the seat map, a picture of the hall, excepted; the header and the tabs are
  // outside main).
  if (elder && oneColumn) {
    const boxes = [...seen].filter((el) => el.closest('main') && !el.closest('.seatmap'))
      .map((el) => ({ el, r: el.getBoundingClientRect() }));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        const shared = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (shared > Math.min(a.height, b.height) / 2 && (a.right <= b.left + 1 || b.right <= a.left + 1)) {
          failures.push(`controls side by side (not one column): ${name(boxes[i].el)} and ${name(boxes[j].el)}`);
        }
      }
    }
  }

  // A phone shows screen.width CSS px; a mobile browser zooms out a wider page.
  const overflow = document.documentElement.scrollWidth > screen.width + 1;
  if (overflow) failures.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px wide on a ${screen.width}px phone`);
  return {
    elder, width: screen.width, texts: counted, controls,
    minFont: counted ? minFont : 0, maxFont, minLineHeight: counted ? minLine : 0, minContrast: counted ? minContrast : 0,
    minControlWidth: controls ? minW : 0, minControlHeight: controls ? minH : 0, failures,
  };
})
