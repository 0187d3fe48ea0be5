// How the overlay's lower third will show a question: it stops after four lines
// (overlays/overlay.css, .card .text) and the console says so before it goes on air.
// Measured the way the browser source lays it out at 1920x1080 with the default theme;
// tests/browser/test_browser_long_question.py checks the figure against the overlay.

// Mirrors overlays/overlay.css: the card spans 5vw..95vw with 32px padding and an 8px
// accent border; the text is 600 44px/1.2 in the overlay's font, cut after 4 lines.
const WIDTH_PX = 1920 * 0.9 - 2 * 32 - 8;
const LINES = 4;
const FONT = '600 44px/1.2 "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

let box = null;
const cache = new Map();

function measureBox() {
  if (box) return box;
  box = document.createElement("p");
  box.setAttribute("aria-hidden", "true");
  Object.assign(box.style, {
    position: "absolute", left: "-99999px", top: "0", visibility: "hidden", margin: "0",
    width: `${WIDTH_PX}px`, font: FONT, overflowWrap: "anywhere", whiteSpace: "normal",
  });
  document.body.append(box);
  return box;
}

function fits(p, chars, n, maxHeight) {
  p.textContent = chars.slice(0, n).join("") + (n < chars.length ? "…" : "");
  return p.scrollHeight <= maxHeight;
}

// null when the whole text fits in the lower third; otherwise how many characters show.
export function overlayCut(text) {
  if (cache.has(text)) return cache.get(text);
  const p = measureBox();
  p.dir = "auto";
  p.textContent = "x";
  const maxHeight = p.scrollHeight * LINES + 1;
  const chars = Array.from(text);
  let shown = null;
  if (!fits(p, chars, chars.length, maxHeight)) {
    let lo = 0, hi = chars.length;  // fits(lo), !fits(hi)
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fits(p, chars, mid, maxHeight)) lo = mid; else hi = mid;
    }
    shown = lo;
  }
  if (cache.size > 2000) cache.clear();
  cache.set(text, shown);
  return shown;
}

export const OVERLAY_LINES = LINES;
