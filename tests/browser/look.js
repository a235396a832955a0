// Measures the stepping widget as a learner sees it; run by explorer_page.look() with the widget's root.
// (Playwright's evaluate takes an expression: the whole file is one arrow function.)
(root) => {
  const scroller = (() => {
    for (let node = root.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
    }
    return document.scrollingElement;
  })();
  root.scrollIntoView({ block: "start" });
  const pane = scroller.getBoundingClientRect();
  const seen = {
    left: Math.max(0, pane.left), top: Math.max(0, pane.top),
    right: Math.min(innerWidth, pane.right), bottom: Math.min(innerHeight, pane.bottom),
  };
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const name = (el) => {
    const cls = [...el.classList].find((c) => c.startsWith("tcpedu-")) || el.className || el.tagName;
    return `${cls} "${(el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40)}"`;
  };
  const inside = (r, box, slack = 1) =>
    r.left >= box.left - slack && r.top >= box.top - slack && r.right <= box.right + slack && r.bottom <= box.bottom + slack;
  const rect = (r) => ({ left: Math.round(r.left), top: Math.round(r.top), right: Math.round(r.right), bottom: Math.round(r.bottom) });
  // 1. Labels against their boxes.
  const buttons = [...root.querySelectorAll("button")].filter(shown);
  const labels = buttons.map((button) => {
    const range = document.createRange();
    range.selectNodeContents(button);
    const text = range.getBoundingClientRect();
    const box = button.getBoundingClientRect();
    const style = getComputedStyle(button);
    const padLeft = parseFloat(style.paddingLeft), padRight = parseFloat(style.paddingRight);
    const whole = button.scrollWidth <= button.clientWidth + 1 && button.scrollHeight <= button.clientHeight + 1 &&
      text.left >= box.left + padLeft - 1.5 && text.right <= box.right - padRight + 1.5;
    const room = Math.round(box.width - padLeft - padRight - parseFloat(style.borderLeftWidth) -
      parseFloat(style.borderRightWidth) - text.width);
    return { button: name(button), scrollWidth: button.scrollWidth, clientWidth: button.clientWidth,
             textWidth: Math.round(text.width), room, whole };
  });
  // 2. What must be seen at once, wholly.
  const must = [
    ...root.querySelectorAll(".tx-head button, .tx-call, .tx-calls input, .tcpedu-segment-row, .tx-clock button, .tcpedu-message"),
  ].filter(shown);
  const outside = must.filter((el) => !inside(el.getBoundingClientRect(), seen)).map((el) => ({ what: name(el), rect: rect(el.getBoundingClientRect()) }));
  const ladderScroll = root.querySelector(".tx-ladder-scroll");
  const band = root.querySelector(".tx-band");
  const box = ladderScroll.getBoundingClientRect();
  const open = { left: box.left, top: box.top, right: box.right, bottom: Math.min(box.bottom, band.getBoundingClientRect().top) };
  const ladderView = { left: Math.max(open.left, seen.left), top: Math.max(open.top, seen.top),
                       right: Math.min(open.right, seen.right), bottom: Math.min(open.bottom, seen.bottom) };
  // The newest step: the arrow of the newest segment (its line), or the ladder's last row of any kind.
  const segments = [...root.querySelectorAll(".tcpedu-ladder g.segment")];
  let newest = null;
  if (segments.length) {
    const last = segments.reduce((a, b) => (Number(b.dataset.id) > Number(a.dataset.id) ? b : a));
    newest = { what: `segment #${last.dataset.id}`, rect: rect(last.querySelector("line").getBoundingClientRect()) };
  } else {
    const rows = [...root.querySelectorAll(".tcpedu-ladder svg > g")];
    if (rows.length) newest = { what: "last row", rect: rect(rows[rows.length - 1].getBoundingClientRect()) };
  }
  if (newest && !inside(newest.rect, ladderView, 2)) outside.push({ what: `newest ladder step (${newest.what})`, rect: newest.rect, visible: rect(ladderView) });
  // 3. Contrast of text with what it is drawn on.
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const poor = [];
  for (const el of root.querySelectorAll("*")) {
    if (el.closest("svg") || el.closest("button:disabled") || el.tagName === "OPTION" || !shown(el)) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const back = background(el);
    const fore = over(rgba(style.color), back);
    const [l1, l2] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      poor.push({ what: name(el), ratio: Math.round(ratio * 100) / 100, color: style.color, background: `rgb(${back.slice(0, 3).map(Math.round)})` });
    }
  }
  return { labels, truncated: labels.filter((l) => !l.whole), outside, poorContrast: poor, seen: rect(seen),
           explorer: rect(root.getBoundingClientRect()), buttons: buttons.length, newest };
}
