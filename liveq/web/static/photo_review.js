// A photo as it is checked and redacted on the procedure page: the picture with a box
// on each face and identifier found in it, their list, and one action each (blur, black
// out, approve a staff face); or a box drawn on the picture, blurred or blacked out.
// Each action asks the server for a new version of the photo (the post's sign-off is
// cleared). Text from the server goes in with textContent only.
import { el, userText } from "./dom.js";

const STATUS = { open: "unresolved", redacted: "redacted", approved: "approved" };

// ph: the photo's view; post: its post; opts: {approver, editable, act(path, body),
// progress: {done, what} or undefined, onDraw(photoId, box)}.
export function photoReview(ph, post, opts) {
  const fig = el("figure", "photo photo-review");
  fig.dataset.photo = ph.id;
  const base = `/posts/${post.id}/photos/${ph.id}`;
  const frame = el("div", "photo-frame");
  const img = el("img", "photo-thumb");
  img.src = `${ph.url}?v=${ph.version}`;
  img.alt = ph.alt_text;
  frame.append(img);
  const boxes = [];
  for (const f of ph.findings) {
    const b = el("span", `finding-box ${f.kind === "face" ? "face" : "text"} ${f.status}`);
    b.dataset.finding = f.id;
    b.title = `${f.id}: ${f.reason} (${STATUS[f.status]})`;
    b.append(el("span", "finding-tag", String(f.id)));
    boxes.push([b, f.box]);
    frame.append(b);
  }
  // Boxes are in the photo's pixels: place them once the picture's size is known.
  const place = () => {
    const w = img.naturalWidth, h = img.naturalHeight;
    if (!w || !h) return;
    for (const [b, [x, y, bw, bh]] of boxes) {
      Object.assign(b.style, { left: `${(100 * x) / w}%`, top: `${(100 * y) / h}%`, width: `${(100 * bw) / w}%`, height: `${(100 * bh) / h}%` });
    }
  };
  img.addEventListener("load", place);
  if (img.complete) place();
  fig.append(frame);

  const caption = userText("figcaption", "small", ph.alt_text);
  fig.append(caption);
  const open = el("a", "small", "Open full size");
  open.href = img.src;
  open.target = "_blank";
  open.rel = "noopener";
  fig.append(open);

  const state = ph.check.state;
  if (state === "pending" || state === "checking") {
    const p = opts.progress || { done: 0, what: "Waiting to be checked for faces and text" };
    const box = el("div", "check-progress");
    box.id = `check-${ph.id}`;
    const bar = el("progress");
    bar.max = 1;
    bar.value = p.done;
    bar.setAttribute("aria-label", "Photo check progress");
    box.append(bar, el("span", "small", ` ${p.what}… ${Math.round(p.done * 100)}%`));
    fig.append(box);
    return fig;
  }
  if (state === "failed") {
    fig.append(el("p", "small blocked", `Could not be checked: ${ph.check.error}. Remove it and upload it again.`));
    return fig;
  }
  const open_ = ph.findings.filter((f) => f.status === "open");
  fig.append(el("p", `small check-summary ${open_.length ? "blocked" : "signed"}`, open_.length
    ? `${open_.length} unresolved: blur or black out each one before sign-off.`
    : ph.findings.length ? "Every finding is resolved." : "Checked: no faces or identifiers found."));
  if (ph.findings.length) {
    const list = el("ol", "findings-list small");
    for (const f of ph.findings) {
      const li = el("li", `finding ${f.status}`);
      li.dataset.finding = f.id;
      li.value = f.id;
      const what = f.text ? `${f.reason}: “${f.text}”` : f.reason;
      li.append(userText("span", "what", what), el("span", "muted", ` — ${STATUS[f.status]}${f.by ? ` by ${f.by}` : ""}`));
      if (f.note) li.append(userText("span", "muted", ` (“${f.note}”)`));
      if (f.status === "open" && opts.editable) {
        const blur = el("button", "link blur", "Blur");
        blur.type = "button";
        blur.addEventListener("click", () => opts.act(`${base}/redact`, { findings: [f.id], style: "blur" }));
        const black = el("button", "link black", "Black out");
        black.type = "button";
        black.addEventListener("click", () => opts.act(`${base}/redact`, { findings: [f.id], style: "black" }));
        li.append(" ", blur, " ", black);
        if (f.kind === "face" && opts.approver) {
          const ok = el("button", "link approve", "Approve staff face…");
          ok.type = "button";
          ok.addEventListener("click", () => {
            const reason = window.prompt("Why may this face be shown? (who, and their consent)");
            if (reason && reason.trim()) opts.act(`${base}/findings/${f.id}/approve`, { reason });
          });
          li.append(" ", ok);
        }
      }
      list.append(li);
    }
    fig.append(list);
    if (open_.length > 1 && opts.editable) {
      const all = el("button", "blur-all", `Blur all ${open_.length}`);
      all.type = "button";
      all.addEventListener("click", () => opts.act(`${base}/redact`, { findings: open_.map((f) => f.id), style: "blur" }));
      fig.append(all);
    }
  }
  if (opts.editable) fig.append(drawTool(frame, img, base, opts));
  return fig;
}

// Draw a box on the picture with the pointer, then blur or black it out.
function drawTool(frame, img, base, opts) {
  const row = el("p", "draw-tool small");
  const start = el("button", "link draw", "Draw a box to cover…");
  start.type = "button";
  const blur = el("button", "link", "Blur the box");
  const black = el("button", "link", "Black out the box");
  for (const b of [blur, black]) { b.type = "button"; b.hidden = true; }
  row.append(start, " ", blur, " ", black);
  let drawn = null;
  let rect = null;
  const toPhoto = (ev) => {
    const r = img.getBoundingClientRect();
    const sx = img.naturalWidth / r.width, sy = img.naturalHeight / r.height;
    return [Math.max(0, Math.min(r.width, ev.clientX - r.left)) * sx, Math.max(0, Math.min(r.height, ev.clientY - r.top)) * sy];
  };
  start.addEventListener("click", () => {
    frame.classList.add("drawing");
    start.textContent = "Drag on the photo…";
  });
  frame.addEventListener("pointerdown", (ev) => {
    if (!frame.classList.contains("drawing")) return;
    ev.preventDefault();
    const [x0, y0] = toPhoto(ev);
    if (!rect) { rect = el("span", "finding-box drawn"); frame.append(rect); }
    const move = (e) => {
      const [x1, y1] = toPhoto(e);
      drawn = [Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)];
      const w = img.naturalWidth, h = img.naturalHeight;
      Object.assign(rect.style, { left: `${(100 * drawn[0]) / w}%`, top: `${(100 * drawn[1]) / h}%`, width: `${(100 * drawn[2]) / w}%`, height: `${(100 * drawn[3]) / h}%` });
    };
    const up = () => {
      frame.removeEventListener("pointermove", move);
      frame.classList.remove("drawing");
      start.textContent = "Draw another box…";
      blur.hidden = black.hidden = !drawn;
    };
    frame.addEventListener("pointermove", move);
    frame.addEventListener("pointerup", up, { once: true });
  });
  const send = (style) => drawn && opts.act(`${base}/redact`, { regions: [{ box: drawn.map(Math.round), style }] });
  blur.addEventListener("click", () => send("blur"));
  black.addEventListener("click", () => send("black"));
  return row;
}

// A photo_check frame: move that photo's progress bar, if the page shows it.
export function showProgress(m) {
  const box = document.getElementById(`check-${m.photo_id}`);
  if (!box) return;
  box.querySelector("progress").value = m.done;
  box.querySelector("span").textContent = ` ${m.what}… ${Math.round(m.done * 100)}%`;
}
