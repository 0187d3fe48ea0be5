// The moderator console: a live queue over a websocket; actions over the JSON API.
// All text from questions goes into the page with textContent, never innerHTML.
import { api } from "./api.js";
import { announce, el, keptRows, keyWithoutVotes, labelled, notice, showConnection, userText } from "./dom.js";
import { live, Questions } from "./live.js";
import { OVERLAY_LINES, overlayCut } from "./overlay_cut.js";
import { threadPanel } from "./thread.js";
import { networksPanel } from "./networks.js";
import { xSourcePanel } from "./xsource.js";
import { pollsPanel } from "./polls_panel.js";
import { grades, showGrade } from "./reading.js";
import { presenterPanel } from "./presenter_panel.js";

// Where a question came from, as the queue shows it.
const SOURCE_NAMES = { x: "X", mastodon: "Mastodon", bluesky: "Bluesky", web: "Form" };

start(document.getElementById("console"));

function start(root) {
  const slug = root.dataset.slug;
  const questions = new Questions();
  const MAX_ROWS = 500;
  let tab = "pending";
  let sortBy = "time";
  let selectedId = null;
  let event = null;
  let renderQueued = false;
  let visibleIds = new Set();

  // The console's other panels, each handed every message for its own types.
  const panels = [threadPanel(slug), networksPanel(slug), xSourcePanel(slug), presenterPanel(slug), pollsPanel(slug)];

  // --- connection --------------------------------------------------------
  function handle(msg) {
    if (msg.type === "snapshot" && msg.role !== "moderator") {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
      return;
    }
    // A question we have not seen, after the snapshot: say so to a screen reader.
    if (msg.type === "question" && !questions.has(msg.question.id) && questions.size) {
      announce(`New question #${msg.question.id} (${statusLabel(msg.question.status)}): ${msg.question.text}`);
    }
    questions.apply(msg);
    if (msg.type === "snapshot" || msg.type === "event") setEvent(msg.event);
    for (const panel of panels) panel(msg);
    scheduleRender();
  }

  function setEvent(e) {
    event = e;
    document.getElementById("post-moderation").checked = e.moderation === "post";
    document.getElementById("accepting").checked = !!e.accepting;
    document.getElementById("require-name").checked = !!e.require_name;
    document.getElementById("show-answers").checked = !!e.show_answers;
  }

  // --- rendering -----------------------------------------------------------
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => { renderQueued = false; render(); });
  }

  function inTab(q) {
    if (tab === "approved") return q.status === "approved";
    return q.status === tab;
  }

  // --- search and filters (the same rules as the API's ?q=, source=, kind=...:
  // liveq/domain/queue.py) --------------------------------------------------------
  const search = { text: "", source: "", kind: "", label: "", starred: false };
  const filtering = () => !!(search.text || search.source || search.kind || search.label || search.starred);
  function matches(q) {
    if (search.source && q.source !== search.source) return false;
    if (search.starred && !q.starred) return false;
    if (search.kind && !(q.findings || []).some((f) => f.kind === search.kind)) return false;
    const labels = q.labels || [];
    if (search.label && !labels.some((l) => l.toLowerCase() === search.label.toLowerCase())) return false;
    if (search.text) {
      const needle = search.text.toLowerCase().replace(/^@/, "");
      const hay = [q.text, (q.author || "").replace(/^@/, ""), q.original_text || "", ...labels];
      if (!hay.some((h) => h.toLowerCase().includes(needle))) return false;
    }
    return true;
  }
  function wireFilters() {
    const on = (id, type, fn) => document.getElementById(id).addEventListener(type, (ev) => { fn(ev.target); selectedId = null; render(); });
    on("search", "input", (t) => { search.text = t.value.trim(); });
    on("filter-source", "change", (t) => { search.source = t.value; });
    on("filter-kind", "change", (t) => { search.kind = t.value; });
    on("filter-label", "change", (t) => { search.label = t.value; });
    on("filter-starred", "change", (t) => { search.starred = t.checked; });
  }
  wireFilters();

  // The label filter offers the labels in use (and keeps the chosen one).
  function renderLabelOptions() {
    const select = document.getElementById("filter-label");
    const names = new Map();
    for (const q of questions.values()) for (const l of q.labels || []) names.set(l.toLowerCase(), l);
    if (search.label) names.set(search.label.toLowerCase(), search.label);
    const wanted = [...names.values()].sort((a, b) => a.localeCompare(b));
    const have = [...select.options].slice(1).map((o) => o.value);
    if (wanted.join("\n") === have.join("\n")) return;
    const any = el("option", "", "any");
    any.value = "";
    select.replaceChildren(any, ...wanted.map((l) => { const o = el("option", "", l); o.value = l; o.dir = "auto"; return o; }));
    select.value = search.label;
  }

  function sorted(list) {
    if (sortBy === "votes") return list.sort((a, b) => (b.votes - a.votes) || (a.id - b.id));
    return list.sort((a, b) => (b.starred - a.starred) || (a.id - b.id));
  }

  function visible() {
    return grouped(sorted([...questions.values()].filter((q) => inTab(q) && matches(q))));
  }

  // --- screening findings ----------------------------------------------------
  // Kinds that block approval until redacted or overridden (liveq/screening/review.py).
  const BLOCKING = new Set(["name", "date", "age_over_89", "phone", "fax", "email", "ssn", "mrn",
    "health_plan_number", "account_number", "license_number", "vehicle_id", "device_id",
    "street_address", "zip_code", "url", "ip_address", "room_number", "profanity"]);
  const WHOLE_TEXT = new Set(["duplicate", "flood"]);
  const findingsOf = (q) => q.findings || [];
  // A finding is about the question's text, or (field "name") the asker's name.
  const fieldOf = (f) => (f.field === "name" ? "name" : "text");
  const valueOf = (q, field) => (field === "name" ? q.author || "" : q.text);
  const spanFindings = (q, field) => findingsOf(q).filter((f) =>
    !WHOLE_TEXT.has(f.kind) && f.end > f.start && (field === undefined || fieldOf(f) === field));
  const unresolved = (q) => findingsOf(q).filter((f) => !f.override);
  const blocking = (q) => unresolved(q).filter((f) => BLOCKING.has(f.kind));
  function dupTarget(q) {
    const f = findingsOf(q).find((x) => x.kind === "duplicate" && Number.isInteger(x.question_id));
    return f ? f.question_id : null;
  }

  // Near-duplicates follow the question they look like, when both are in the list.
  function grouped(list) {
    const ids = new Set(list.map((q) => q.id));
    const children = new Map();
    const isChild = (q) => { const t = dupTarget(q); return t !== null && t !== q.id && ids.has(t); };
    for (const q of list) {
      if (!isChild(q)) continue;
      const t = dupTarget(q);
      if (!children.has(t)) children.set(t, []);
      children.get(t).push(q);
    }
    const out = [];
    const placed = new Set();
    const visit = (q) => {
      if (placed.has(q.id)) return;
      placed.add(q.id);
      out.push(q);
      for (const c of children.get(q.id) || []) visit(c);
    };
    for (const q of list) if (!isChild(q)) visit(q);
    for (const q of list) if (!placed.has(q.id)) visit(q);
    return out;
  }

  // The question's text (or the asker's name), with each finding's span in a <mark>
  // (kind and reason on hover).
  // Spans are Python str indices, i.e. code points: index an array of code points.
  function markedText(q, cls, field = "text", tag = "p") {
    const p = userText(tag, cls);
    if (field === "text" && q.lang) p.lang = q.lang;  // read in its own language's voice
    const chars = Array.from(valueOf(q, field));
    const spans = spanFindings(q, field).filter((f) => f.end <= chars.length)
      .sort((a, b) => (a.start - b.start) || (b.end - a.end));
    const groups = [];
    for (const f of spans) {
      const last = groups[groups.length - 1];
      if (last && f.start < last.end) { last.end = Math.max(last.end, f.end); last.findings.push(f); }
      else groups.push({ start: f.start, end: f.end, findings: [f] });
    }
    let pos = 0;
    for (const g of groups) {
      if (g.start > pos) p.append(document.createTextNode(chars.slice(pos, g.start).join("")));
      const done = g.findings.every((f) => f.override);
      const m = el("mark", `finding kind-${g.findings[0].kind}${done ? " overridden" : ""}`,
        chars.slice(g.start, g.end).join(""));
      m.title = g.findings.map((f) => f.reason + (f.override ? ` (overridden by ${f.override.by})` : "")).join("; ");
      m.tabIndex = 0;
      m.dataset.start = String(g.start);
      m.dataset.end = String(g.end);
      m.dataset.kind = g.findings[0].kind;
      m.dataset.field = field;
      p.append(m);
      pos = g.end;
    }
    if (pos < chars.length) p.append(document.createTextNode(chars.slice(pos).join("")));
    return p;
  }

  // Why the question is held: each finding's reason; near-duplicates with a merge button.
  function findingsList(q) {
    const list = findingsOf(q);
    if (!list.length) return null;
    const box = el("div", "findings");
    const open = blocking(q);
    if (open.length && ["pending", "approved", "on_air"].includes(q.status)) {
      const phi = open.filter((f) => f.kind !== "profanity").length;
      const parts = [];
      if (phi) parts.push(phi === 1 ? "a possible patient identifier" : `${phi} possible patient identifiers`);
      if (phi < open.length) parts.push("profanity");
      box.append(el("p", "held", `Held: ${parts.join(" and ")} — redact (r) or override with a reason (y) before approving.`));
    } else if (q.status === "pending" && unresolved(q).length) {
      box.append(el("p", "held soft", "Held for a look:"));
    }
    const ul = el("ul", "finding-list");
    for (const f of list) {
      const li = el("li", `finding-note kind-${f.kind}${f.override ? " overridden" : ""}`);
      if (!WHOLE_TEXT.has(f.kind)) {
        const inName = fieldOf(f) === "name";
        li.append(el("span", "finding-kind", f.kind.replace(/_/g, " ") + (inName ? " in the name" : "")));
        li.append(userText("span", "finding-span", Array.from(valueOf(q, fieldOf(f))).slice(f.start, f.end).join("")));
      }
      li.append(el("span", "finding-reason", f.reason));
      if (f.kind === "duplicate" && Number.isInteger(f.question_id)) {
        const target = questions.get(f.question_id);
        if (target) li.append(labelled("span", "dup-target muted", `#${target.id} (${statusLabel(target.status)}): `, target.text));
        if (["pending", "approved"].includes(q.status)) {
          const b = el("button", "act act-merge-dup", `Merge into #${f.question_id} (g)`);
          b.type = "button";
          b.addEventListener("click", (ev) => { ev.stopPropagation(); mergeInto(q.id, f.question_id); });
          li.append(b);
        }
      }
      if (f.override) li.append(labelled("span", "override-note", `overridden by ${f.override.by}: `, f.override.reason));
      ul.append(li);
    }
    box.append(ul);
    return box;
  }

  const statusLabel = (s) => (s === "on_air" ? "on air" : s);

  function render() {
    const counts = { pending: 0, approved: 0, answered: 0, declined: 0 };
    let onair = null;
    for (const q of questions.values()) {
      if (q.status in counts) counts[q.status] += 1;
      if (q.status === "on_air") onair = q;
    }
    for (const node of document.querySelectorAll("[data-count]")) node.textContent = counts[node.dataset.count];
    for (const b of document.querySelectorAll("[data-tab]")) {
      const on = b.dataset.tab === tab;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;  // the tabs pattern: one tab stop, arrows move within
      if (on) document.getElementById("queue-panel").setAttribute("aria-labelledby", b.id);
    }
    renderOnAir(onair);
    const list = visible();
    visibleIds = new Set(list.map((q) => q.id));
    const queue = document.getElementById("queue");
    // A row rebuilt (its question changed) loses focus: put focus back on the selected
    // one, or a keyboard (and a screen reader) would be thrown back to the top of the page.
    const hadFocus = queue.contains(document.activeElement);
    const shown = list.slice(0, MAX_ROWS);
    placeQueue(queue, shown, (q) => q.id, shownKey).forEach((node, i) => setVotes(node, shown[i]));
    renderLabelOptions();
    const summary = document.getElementById("filter-summary");
    const inThisTab = [...questions.values()].filter(inTab).length;
    summary.textContent = filtering() ? `Showing ${list.length} of ${inThisTab} in this tab (search or filters on).` : "";
    const more = document.getElementById("more");
    more.hidden = list.length <= MAX_ROWS;
    more.textContent = `Showing ${MAX_ROWS} of ${list.length}.`;
    if (selectedId !== null && !list.some((q) => q.id === selectedId)) selectedId = list.length ? list[0].id : null;
    markSelected(hadFocus);
  }

  // --- rows kept between renders (keptRows in dom.js says why) ---------------------
  // A row, and the on-air card, is built again only when what it shows changed; a new
  // vote count is written into it in place, so votes never rebuild it.
  const placeQueue = keptRows(row);
  function shownKey(q) {
    const target = dupTarget(q);
    const other = target === null ? null : questions.get(target);
    return keyWithoutVotes(q, target !== null && visibleIds.has(target),
      other ? [other.status, other.text] : null);
  }
  // meta() shows the votes after the asker's name, once there are any.
  function setVotes(node, q) {
    let votes = node.querySelector(".meta .votes");
    if (!q.votes) { if (votes) votes.remove(); return; }
    if (!votes) {
      votes = el("span", "votes", "");
      node.querySelector(".meta .author").after(votes);
    }
    votes.textContent = `▲ ${q.votes}`;
  }

  let onAirKey = null;
  function renderOnAir(q) {
    const box = document.getElementById("onair");
    const key = q ? shownKey(q) : "";
    if (key === onAirKey) { if (q) setVotes(box, q); return; }
    onAirKey = key;
    if (!q) { box.className = "onair-empty"; box.replaceChildren(el("span", "", "Nothing on air.")); return; }
    box.className = "onair-card";
    box.dataset.id = q.id;
    box.replaceChildren(
      userText("p", "onair-text", q.text),
      ...cutNotice(q),
      meta(q),
      buttons(q, [["answer", "Mark answered (n)"], ["off_air", "Take off air"]]),
    );
  }

  // The lower third stops after four lines: say so where the moderator decides.
  function cutNotice(q) {
    const shown = overlayCut(q.text);
    if (shown === null) return [];
    const note = el("p", "overlay-cut small",
      `The overlay will cut this question after about ${shown} characters (${OVERLAY_LINES} lines)`);
    note.title = "The lower third shows four lines; the presenter's view shows the whole question. " +
      "Edit (e) to shorten what goes on air; the original is kept.";
    return [note];
  }

  function meta(q) {
    const m = el("p", "meta");
    m.append(el("span", "qid", `#${q.id}`));
    m.append(el("span", `source source-${q.source}`, SOURCE_NAMES[q.source] || "Form"));
    if (spanFindings(q, "name").length) {
      m.append(markedText(q, "author", "name", "span"));  // dir="auto" like every user text
    } else {
      m.append(userText("span", "author", q.author || "Anonymous"));
    }
    if (q.votes) m.append(el("span", "votes", `▲ ${q.votes}`));
    if (q.merged_count) m.append(el("span", "merged", `asked by ${q.merged_count + 1}`));
    if (q.starred) m.append(el("span", "star", "★ starred"));
    if (q.original_text && q.original_text !== q.text) m.append(el("span", "edited", "edited"));
    if (q.decline_reason) m.append(labelled("span", "reason", "declined: ", q.decline_reason));
    return m;
  }

  // A moderator's labels (the presenter view can filter by them) and the note only
  // moderators see.
  function annotations(q) {
    const out = [];
    if ((q.labels || []).length) {
      const ul = el("ul", "labels");
      ul.setAttribute("aria-label", "Labels");
      for (const l of q.labels) ul.append(userText("li", "label", l));
      out.push(ul);
    }
    if (q.note) out.push(labelled("p", "mod-note", "Note (moderators only): ", q.note));
    return out;
  }

  const ACTIONS_BY_STATUS = {
    pending: [["approve", "Approve (a)"], ["decline", "Decline (d)"], ["edit", "Edit (e)"], ["star", "Star (s)"], ["merge", "Merge (m)"]],
    approved: [["on_air", "On air (o)"], ["answer", "Answered (n)"], ["edit", "Edit (e)"], ["star", "Star (s)"], ["decline", "Decline (d)"], ["merge", "Merge (m)"]],
    answered: [["archive", "Archive (x)"]],
    declined: [["archive", "Archive (x)"]],
  };

  function row(q) {
    const li = el("li", "q");
    li.dataset.id = q.id;
    li.tabIndex = -1;
    const target = dupTarget(q);
    if (target !== null && visibleIds.has(target)) li.classList.add("dup");
    if (blocking(q).length) li.classList.add("blocked");
    li.append(markedText(q, "qtext"));
    if (q.original_text && q.original_text !== q.text) li.append(labelled("p", "original muted small", "Original: ", q.original_text));
    if (["pending", "approved"].includes(q.status)) li.append(...cutNotice(q));
    const why = findingsList(q);
    if (why) li.append(why);
    li.append(meta(q));
    li.append(...annotations(q));
    const actions = (ACTIONS_BY_STATUS[q.status] || []).map(([a, label]) =>
      (a === "star" && q.starred) ? ["unstar", "Unstar (s)"] : [a, label]);
    actions.push(["labels", "Labels (l)"], ["note", "Note (t)"]);
    if (["pending", "approved", "on_air"].includes(q.status)) {
      if (spanFindings(q).length) actions.push(["redact", "Redact (r)"]);
      if (unresolved(q).length) actions.push(["override", "Override (y)"]);
    }
    li.append(buttons(q, actions));
    li.addEventListener("click", () => { selectedId = q.id; markSelected(); });
    li.addEventListener("focus", () => { if (selectedId !== q.id) { selectedId = q.id; markSelected(); } });
    // Tabbing to a highlighted span selects its question, so r redacts just that span.
    li.addEventListener("focusin", (ev) => { if (ev.target.tagName === "MARK" && selectedId !== q.id) { selectedId = q.id; markSelected(); } });
    return li;
  }

  function buttons(q, actions) {
    const box = el("div", "actions");
    for (const [action, label] of actions) {
      const b = el("button", `act act-${action}`, label);
      b.type = "button";
      b.dataset.action = action;
      b.addEventListener("click", (ev) => { ev.stopPropagation(); act(q.id, action); });
      box.append(b);
    }
    return box;
  }

  // The selection is the keyboard focus (a roving tabindex): the selected row is the
  // queue's one tab stop, and j/k or the arrows move focus, so a screen reader reads
  // the question that a (a), d (decline)... will act on.
  function markSelected(focus = false) {
    const rows = [...document.querySelectorAll("#queue li.q")];
    const current = rows.find((li) => Number(li.dataset.id) === selectedId) || null;
    for (const li of rows) {
      li.classList.toggle("selected", li === current);
      li.tabIndex = li === (current || rows[0]) ? 0 : -1;
    }
    if (!current || document.querySelector("dialog[open]")) return;
    // Focus inside the row (a finding, for "r" to redact that span alone) stays there.
    if (current.contains(document.activeElement)) return;
    if (focus) current.focus();
    else current.scrollIntoView({ block: "nearest" });
  }

  // --- actions -------------------------------------------------------------
  const dialog = document.getElementById("dialog");
  // showModal() makes the page behind inert, but Tab past the last button leaves the
  // document for the browser's own controls: keep it cycling inside the dialog.
  for (const box of document.querySelectorAll("dialog")) {
    box.addEventListener("keydown", (ev) => {
      if (ev.key !== "Tab") return;
      const stops = [...box.querySelectorAll("button, textarea, input, select, [tabindex='0']")]
        .filter((n) => !n.disabled && n.offsetParent !== null);
      if (!stops.length) return;
      const first = stops[0], last = stops[stops.length - 1];
      if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
      else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
    });
  }
  // A dialog gives focus back to where it was opened from (a row, a button) when it
  // closes; showModal() keeps Tab inside it while it is open.
  function returnFocus(from) {
    const row = from && from.closest && from.closest("li.q");
    const back = from && from.isConnected ? from
      : row ? document.querySelector(`#queue li.q[data-id="${row.dataset.id}"]`) : null;
    const selected = document.querySelector("#queue li.q.selected");
    (back || selected || document.getElementById("queue-panel")).focus();
  }

  // An answer goes into the live thread: its reading grade shows as it is typed (a hint).
  const gradeNode = document.getElementById("dialog-grade");
  let gradeTimer = null;
  function gradeAnswer() {
    clearTimeout(gradeTimer);
    gradeTimer = setTimeout(async () => {
      const text = document.getElementById("dialog-input").value;
      try {
        const [grade] = await grades(slug, [text]);
        if (document.getElementById("dialog-input").value === text) showGrade(gradeNode, grade);
      } catch (err) { /* a hint only */ }
    }, 300);
  }

  function ask(title, label, question, initial, { grade = false } = {}) {
    const opener = document.activeElement;
    return new Promise((resolve) => {
      document.getElementById("dialog-title").textContent = title;
      document.getElementById("dialog-label").textContent = label;
      document.getElementById("dialog-question").textContent = question ? question.text : "";
      const input = document.getElementById("dialog-input");
      input.value = initial || "";
      gradeNode.hidden = !grade;
      gradeNode.textContent = "";
      if (grade) gradeAnswer();
      const done = (value) => { dialog.close(); cleanup(); resolve(value); returnFocus(opener); };
      const onSubmit = (ev) => { ev.preventDefault(); done(input.value); };
      const onCancel = () => done(null);
      const onKey = (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); done(input.value); } };
      const form = document.getElementById("dialog-form");
      const cancel = document.getElementById("dialog-cancel");
      function cleanup() {
        form.removeEventListener("submit", onSubmit);
        cancel.removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        input.removeEventListener("keydown", onKey);
        input.removeEventListener("input", gradeAnswer);
      }
      form.addEventListener("submit", onSubmit);
      cancel.addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel);
      input.addEventListener("keydown", onKey);
      if (grade) input.addEventListener("input", gradeAnswer);
      dialog.showModal();
      input.focus();
    });
  }

  function mergeInto(id, into) { act(id, "merge", { into }); }

  // r: redact the focused mark's span, or every open finding of the selected question.
  function redactSelected() {
    const focused = document.activeElement;
    if (focused && focused.tagName === "MARK" && focused.closest("li.q")) {
      const id = Number(focused.closest("li.q").dataset.id);
      const span = { start: Number(focused.dataset.start), end: Number(focused.dataset.end), kind: focused.dataset.kind };
      if (focused.dataset.field === "name") span.field = "name";
      act(id, "redact", { spans: [span] });
    } else if (selectedId !== null) {
      act(selectedId, "redact");
    }
  }

  // What a screen reader hears once an action went through.
  const DONE = { approve: "approved", decline: "declined", edit: "edited", star: "starred",
    unstar: "unstarred", on_air: "on air", off_air: "taken off air", answer: "marked answered",
    archive: "archived", merge: "merged", redact: "redacted", override: "findings overridden" };

  // Labels (comma-separated in the dialog) and the note: PUT, not a moderation action.
  async function annotate(id, what) {
    const q = questions.get(id);
    if (!q) return;
    let body;
    if (what === "labels") {
      const typed = await ask("Labels", "Labels, separated by commas (e.g. Dr Lee, vaccines); empty clears them", q, (q.labels || []).join(", "));
      if (typed === null) return;
      body = { labels: typed.split(",").map((l) => l.trim()).filter(Boolean) };
    } else {
      const typed = await ask("Note for moderators", "Note (never shown to the audience or on the overlay); empty clears it", q, q.note || "");
      if (typed === null) return;
      body = { note: typed };
    }
    try {
      const data = await api("PUT", `/api/v1/events/${encodeURIComponent(slug)}/questions/${id}/${what}`, body);
      questions.put(data.question);
      announce(`#${id}: ${what === "labels" ? "labels saved" : "note saved"}.`);
      scheduleRender();
    } catch (err) {
      notice(err.message, "error");
    }
  }

  async function act(id, action, extra) {
    if (action === "labels" || action === "note") { annotate(id, action); return; }
    const q = questions.get(id);
    if (!q) return;
    const body = { version: q.version };
    if (action === "decline") {
      const reason = await ask("Decline question", "Reason (optional, for the record)", q, "");
      if (reason === null) return;
      body.reason = reason;
    } else if (action === "edit") {
      const text = await ask("Edit question", "Text shown on air (the original is kept)", q, q.text);
      if (text === null) return;
      body.text = text;
    } else if (action === "answer") {
      const answer = await ask("Mark answered", "Answer (optional; goes into the live thread)", q, q.answer || "", { grade: true });
      if (answer === null) return;
      body.answer = answer;
    } else if (action === "override") {
      const reason = await ask("Override screening",
        "Why is this fine to show? (required; kept in the audit log with your name)", q, "");
      if (reason === null) return;
      if (!reason.trim()) { notice("An override needs a reason.", "error"); return; }
      body.reason = reason;
    } else if (action === "redact") {
      if (extra) Object.assign(body, extra);
      else if (!blocking(q).length) {
        // Nothing blocking left: redact whatever is still marked (e.g. a watch-list phrase).
        const kinds = [...new Set(spanFindings(q).map((f) => f.kind))];
        if (!kinds.length) { notice("There is nothing marked to redact in this question.", "error"); return; }
        body.kinds = kinds;
      }
    } else if (action === "merge" && extra) {
      Object.assign(body, extra);
    } else if (action === "merge") {
      const into = await ask("Merge duplicate", "Number of the question to keep (e.g. 12)", q, dupTarget(q) === null ? "" : String(dupTarget(q)));
      if (into === null) return;
      body.into = Number(String(into).replace("#", "").trim());
      if (!Number.isInteger(body.into)) { notice("Type the number of the question to keep.", "error"); return; }
    }
    try {
      const data = await api("POST", `/api/v1/events/${encodeURIComponent(slug)}/questions/${id}/${action}`, body);
      for (const changed of [data.question, ...(data.changed || [])]) questions.put(changed);
      announce(`#${id}: ${DONE[action] || action}.`);
      scheduleRender();
    } catch (err) {
      notice(err.message, "error");
    }
  }

  async function patchEvent(changes) {
    try {
      const data = await api("PATCH", `/api/v1/events/${encodeURIComponent(slug)}`, changes);
      setEvent(data.event);
    } catch (err) {
      notice(err.message, "error");
      if (event) setEvent(event);
    }
  }

  // --- controls and keyboard ----------------------------------------------
  // The ARIA tabs pattern: click or arrow keys (Home, End) choose a tab and move focus.
  const tabButtons = [...document.querySelectorAll("[data-tab]")];
  function chooseTab(name, focus) {
    tab = name; selectedId = null; render();
    if (focus) document.getElementById(`tab-${name}`).focus();
  }
  for (const b of tabButtons) {
    b.addEventListener("click", () => chooseTab(b.dataset.tab, false));
    b.addEventListener("keydown", (ev) => {
      const i = tabButtons.indexOf(b);
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabButtons.length - 1 }[ev.key];
      if (to === undefined) return;
      ev.preventDefault();
      ev.stopPropagation();
      chooseTab(tabButtons[(to + tabButtons.length) % tabButtons.length].dataset.tab, true);
    });
  }
  document.getElementById("sort").addEventListener("change", (ev) => { sortBy = ev.target.value; render(); });

  // The two switches change the live event for everyone: ask first. The switch keeps its
  // state until "Yes"; Cancel or Escape leave it, and the event, as they were.
  const SWITCHES = {
    "post-moderation": (on) => (on ? {
      title: "Show questions without approval?",
      text: "From now on, new questions appear on the audience page and the presenter's " +
        "screen at once, without a moderator. Questions that screening holds (possible " +
        "patient details, profanity) still wait for one.",
      ok: "Yes, show them at once", change: { moderation: "post" },
    } : {
      title: "Approve questions first again?",
      text: "From now on, new questions wait for a moderator before anyone sees them.",
      ok: "Yes, approve first", change: { moderation: "pre" },
    }),
    accepting: (on) => (on ? {
      title: "Start taking questions again?",
      text: "The audience form opens again and hashtag questions are read again.",
      ok: "Yes, take questions", change: { accepting: true },
    } : {
      title: "Stop taking questions?",
      text: "The audience form says the event is not taking questions, and hashtag " +
        "questions are no longer read. Questions already sent stay in the queue.",
      ok: "Yes, stop taking questions", change: { accepting: false },
    }),
  };
  const confirmBox = document.getElementById("confirm");
  function confirmChange({ title, text, ok }) {
    return new Promise((resolve) => {
      document.getElementById("confirm-title").textContent = title;
      document.getElementById("confirm-text").textContent = text;
      const yes = document.getElementById("confirm-ok");
      const no = document.getElementById("confirm-cancel");
      yes.textContent = ok;
      const done = (answer) => {
        yes.removeEventListener("click", onYes);
        no.removeEventListener("click", onNo);
        confirmBox.removeEventListener("cancel", onNo);
        confirmBox.close();
        resolve(answer);
      };
      const onYes = () => done(true);
      const onNo = (ev) => { ev.preventDefault(); done(false); };
      yes.addEventListener("click", onYes);
      no.addEventListener("click", onNo);
      confirmBox.addEventListener("cancel", onNo);  // Escape
      confirmBox.showModal();
      no.focus();  // the safe choice first
    });
  }
  for (const [id, describe] of Object.entries(SWITCHES)) {
    const box = document.getElementById(id);
    box.addEventListener("change", async () => {
      const wanted = box.checked;
      box.checked = !wanted;
      const change = describe(wanted);
      const yes = await confirmChange(change);
      box.focus();
      if (!yes) return;
      box.checked = wanted;
      await patchEvent(change.change);
    });
  }

  // Audience options: the audience page follows at once; nothing to confirm.
  for (const [id, option] of [["require-name", "require_name"], ["show-answers", "show_answers"]]) {
    const box = document.getElementById(id);
    box.addEventListener("change", () => patchEvent({ [option]: box.checked }));
  }

  const KEY_ACTIONS = { a: "approve", d: "decline", e: "edit", o: "on_air", n: "answer", m: "merge", x: "archive" };
  const TABS = { 1: "pending", 2: "approved", 3: "answered", 4: "declined" };
  document.addEventListener("keydown", (ev) => {
    if (document.querySelector("dialog[open]") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) return;
    const list = visible();
    const index = list.findIndex((q) => q.id === selectedId);
    if (ev.key === "/") {
      document.getElementById("search").focus();
    } else if ((ev.key === "l" || ev.key === "t") && selectedId !== null) {
      annotate(selectedId, ev.key === "l" ? "labels" : "note");
    } else if (ev.key === "j" || ev.key === "ArrowDown") {
      const next = list[Math.min(index + 1, list.length - 1)];
      if (next) { selectedId = next.id; markSelected(true); }
    } else if (ev.key === "k" || ev.key === "ArrowUp") {
      const prev = list[Math.max(index - 1, 0)];
      if (prev) { selectedId = prev.id; markSelected(true); }
    } else if (TABS[ev.key]) {
      chooseTab(TABS[ev.key], false);
    } else if (ev.key === "v") {
      sortBy = sortBy === "time" ? "votes" : "time";
      document.getElementById("sort").value = sortBy; render();
    } else if (ev.key === "n" && ![...questions.values()].some((q) => q.id === selectedId && q.status === "approved")) {
      const onair = [...questions.values()].find((q) => q.status === "on_air");
      if (onair) act(onair.id, "answer");
    } else if (ev.key === "r" && (selectedId !== null || document.activeElement.tagName === "MARK")) {
      redactSelected();
    } else if (ev.key === "y" && selectedId !== null) {
      act(selectedId, "override");
    } else if (ev.key === "g" && selectedId !== null) {
      const q = questions.get(selectedId);
      const target = q ? dupTarget(q) : null;
      if (target === null) notice("This question does not look like another one.", "error");
      else mergeInto(selectedId, target);
    } else if (ev.key === "s" && selectedId !== null) {
      const q = questions.get(selectedId);
      act(selectedId, q && q.starred ? "unstar" : "star");
    } else if (KEY_ACTIONS[ev.key] && selectedId !== null) {
      act(selectedId, KEY_ACTIONS[ev.key]);
    } else {
      return;
    }
    ev.preventDefault();
  });

  live(slug, { onMessage: handle, onStatus: showConnection });
}
