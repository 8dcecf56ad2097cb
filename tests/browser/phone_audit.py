"""What a reader sees on a phone, measured in the browser: used by tests/browser/test_phone_reports.py.

`audit(page)` returns the document's width, every visible text rendered smaller than
`MIN_TEXT_PX` CSS pixels, and the visible texts of the page's <main> (its content, without the menu). A text's size is its computed font size times every scale between it
and the screen: an SVG's viewBox shrunk to the screen (getScreenCTM) and the visual viewport's zoom
(a phone that zooms out to fit a too-wide page makes everything smaller). Hidden texts (display
none, closed <details>, collapsed menus, visually-hidden labels) are not measured.
"""

MIN_TEXT_PX = 11

AUDIT_JS = """
(minPx) => {
  // A phone showing a too-wide page zooms out: the layout grows past the screen's width.
  const zoom = Math.min((window.visualViewport && window.visualViewport.scale) || 1,
                        screen.width / Math.max(window.innerWidth, 1), 1);
  const small = [];
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest("script, style, title, noscript")) continue;
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;          // not laid out, or visually hidden
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
    if (el.closest(".visually-hidden, [aria-hidden=true]")) continue;
    let scale = 1;
    if (el instanceof SVGElement) {
      const ctm = el.getScreenCTM();
      if (ctm) scale = Math.sqrt(Math.abs(ctm.a * ctm.d - ctm.b * ctm.c));
    }
    const px = parseFloat(style.fontSize) * scale * zoom;
    if (el.closest("main")) texts.push(text);
    if (px < minPx - 0.01) small.push({text: text.slice(0, 40), px: Math.round(px * 10) / 10,
                                       tag: el.tagName.toLowerCase()});
  }
  return {
    docWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    viewport: window.innerWidth, zoom: zoom, small: small, texts: texts,  // texts: inside <main>
  };
}
"""


def audit(page, min_px=MIN_TEXT_PX):
    return page.evaluate(AUDIT_JS, min_px)
