// The procedure page: the day before (script, photos, sign-off, checklist) and
// the day (post next, composer with a live counter, pause/resume, pacing).
// Every text from the server goes in with textContent, never innerHTML.
import { api } from "./api.js";
import { el, notice, showConnection } from "./dom.js";
import { live } from "./live.js";
import { threadPanel } from "./thread.js";

start(document.getElementById("procedure"));

function start(root) {
  const slug = root.dataset.slug;
  const base = `/api/v1/events/${encodeURIComponent(slug)}/procedure`;
  let state = null;
  let clockSkew = 0; // server time - our time, in seconds
  const photoInputs = new Map(); // post id -> {file, alt}

  const $ = (id) => document.getElementById(id);
  const button = (label, onClick, cls) => {
    const b = el("button", cls || "", label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  };

  // Run an action (body: JSON, or a FormData for a photo); show its error;
  // take the new state from its answer.
  async function act(path, body) {
    try {
      const data = await api("POST", base + path, body);
      if (data.problems) setState(data);
      return data;
    } catch (err) {
      notice(err.message, "error");
      return null;
    }
  }

  async function refresh() {
    try { setState(await api("GET", base)); } catch (err) { notice(err.message, "error"); }
  }
  let refreshTimer = null;
  const refreshSoon = () => { clearTimeout(refreshTimer); refreshTimer = setTimeout(refresh, 100); };

  // --- websocket: the thread panel (thread.js) and changes made elsewhere --------
  const thread = threadPanel(slug);
  function handle(m) {
    thread(m);
    // The snapshot starts each (re)connection: changes may have been missed meanwhile.
    if (m.type === "snapshot") refresh();
    else if (m.type === "procedure_changed" || (m.type === "outbox" && m.item.state === "posted")) refreshSoon();
  }

  // --- rendering ---------------------------------------------------------------
  function setState(s) {
    state = s;
    clockSkew = s.now - Date.now() / 1000;
    const approver = s.role === "approver";
    $("phase").textContent = s.paused ? "paused" : s.live ? "live" : "preparing";
    $("phase").className = `badge ${s.paused ? "warn" : s.live ? "ok" : ""}`;
    $("day").hidden = !s.live || approver;
    $("readiness").hidden = s.live;
    $("problems").replaceChildren(...s.problems.map((p) => el("li", "", p)));
    $("go-live").disabled = s.problems.length > 0;
    for (const id of ["go-live", "consent-form", "options-form", "add-form"]) $(id).hidden = approver || (id === "go-live" && s.live);
    $("consents").replaceChildren(...s.consents.map((c) => consentRow(c, approver)));
    if (document.activeElement !== $("physician")) $("physician").value = s.physician;
    if (document.activeElement !== $("pacing-minutes")) $("pacing-minutes").value = Math.round(s.pacing_seconds / 60);
    $("script").replaceChildren(...s.script.map((p) => postRow(p, approver)));
    $("holding").replaceChildren(...s.holding.map((p) => postRow(p, approver)));
    $("facts").replaceChildren(...s.facts.map((p) => postRow(p, approver)));
    // The day.
    const next = s.next;
    $("next-pos").textContent = next ? `(${next.position} of ${s.script.length}${next.signed ? "" : ", NOT signed off"})` : "";
    $("next-text").textContent = next ? next.body : "The script is done: every post has been queued.";
    $("next-photos").textContent = next && next.photos.length ? `${next.photos.length} photo(s): ${next.photos.map((p) => p.alt_text).join(" · ")}` : "";
    $("post-next").disabled = !next;
    $("pause").hidden = s.paused;
    $("resume").hidden = !s.paused;
    pacing();
  }

  function consentRow(c, readOnly) {
    const li = el("li", c.done ? "done" : "");
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.checked = c.done;
    box.disabled = readOnly;
    box.dataset.consent = c.id;
    box.addEventListener("change", () => act(`/consents/${c.id}`, { done: box.checked }));
    label.append(box, document.createTextNode(` ${c.label}`));
    li.append(label);
    if (c.done) li.append(el("span", "muted small", ` — ${c.done_by}, ${new Date(c.done_at * 1000).toLocaleString()}`));
    return li;
  }

  function postRow(p, approver) {
    const li = el("li", "script-post");
    li.dataset.id = p.id;
    li.dataset.signed = p.signed ? "yes" : "no";
    li.append(el("p", "post-text", p.body));
    for (const ph of p.photos) {
      const row = el("p", "photo small", `📷 ${ph.alt_text}`);
      if (!approver && p.outbox_id === null) row.append(" ", button("remove", () => act(`/posts/${p.id}/photos/${ph.id}/delete`)));
      li.append(row);
    }
    const status = p.signed ? `✔ signed off by ${p.signed_by} (version ${p.version})`
      : p.sign_cleared ? `✘ edited after sign-off: needs a new sign-off (version ${p.version})`
        : `✘ not signed off (version ${p.version})`;
    li.append(el("p", `small ${p.signed ? "signed" : "unsigned"}`, status));
    if (p.outbox_id !== null && p.role !== "holding") li.append(el("p", "small queued-note", "in the thread"));
    const actions = el("p", "actions small");
    if (approver && !p.signed) {
      actions.append(button("Sign off", () => act(`/posts/${p.id}/sign`, { version: p.version }), "sign"));
    }
    if (!approver && (p.outbox_id === null || p.role === "holding")) {
      actions.append(button("Edit…", () => editPost(p)), " ", button("Delete", () => act(`/posts/${p.id}/delete`)), " ");
      // The same inputs across re-renders: a change elsewhere never wipes a chosen photo.
      if (!photoInputs.has(p.id)) {
        const file = el("input");
        file.type = "file";
        file.accept = "image/png,image/jpeg,image/gif,image/webp";
        file.className = "photo-file";
        const alt = el("input");
        alt.placeholder = "alt text (required)";
        alt.className = "photo-alt";
        photoInputs.set(p.id, { file, alt });
      }
      const { file, alt } = photoInputs.get(p.id);
      const add = button("Add photo", () => addPhoto(p.id, file, alt), "photo-add");
      actions.append(file, alt, add);
    }
    li.append(actions);
    return li;
  }

  async function editPost(p) {
    const text = window.prompt("Edit the post (this clears its sign-off)", p.text);
    if (text === null || text === p.text) return;
    await act(`/posts/${p.id}`, { text });
  }

  async function addPhoto(postId, file, alt) {
    if (!file.files.length) { notice("Choose a photo first.", "error"); return; }
    if (!alt.value.trim()) { notice("Every photo needs alt text.", "error"); return; }
    const form = new FormData();
    form.append("photo", file.files[0]);
    form.append("alt", alt.value);
    if (await act(`/posts/${postId}/photos`, form)) { file.value = ""; alt.value = ""; }
  }

  // --- the day -----------------------------------------------------------------
  function pacing() {
    const box = $("pacing");
    if (!state || !state.live || state.paused || !state.pacing_seconds) { box.hidden = true; return; }
    const now = Date.now() / 1000 + clockSkew;
    const since = Math.max(state.last_posted_at || 0, state.live_at);
    const quiet = now - since;
    const due = quiet >= state.pacing_seconds;
    box.hidden = !due;
    if (!due) return;
    const fact = state.suggested_fact;
    $("pacing-text").textContent = `Nothing posted for ${Math.floor(quiet / 60)} min ${Math.floor(quiet % 60)} s.` +
      (fact ? ` Suggested fact: “${fact.body}”` : " The fact pool is empty: write an update.");
    $("post-fact").hidden = !fact;
  }
  setInterval(pacing, 1000);

  async function postNext() {
    const data = await act("/next");
    if (data) notice(`Queued: ${data.item.text}`);
  }
  $("post-next").addEventListener("click", postNext);
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey && (ev.key === "n" || ev.code === "KeyN") && state && state.live) { ev.preventDefault(); postNext(); }
  });
  $("post-fact").addEventListener("click", () => state.suggested_fact && act(`/facts/${state.suggested_fact.id}/post`));
  $("pause").addEventListener("click", () => act("/pause"));
  $("resume").addEventListener("click", () => act("/resume"));
  $("go-live").addEventListener("click", () => act("/live"));

  let measureTimer = null;
  async function measure() {
    const text = $("compose-text").value;
    try {
      const m = await api("POST", `${base}/measure`, { text, warning: $("compose-warning").checked });
      const count = $("compose-count");
      count.textContent = `${m.weight}/${m.max}`;
      count.className = `count ${m.over ? "over" : ""}`;
      $("compose-send").disabled = m.over > 0 || !text.trim();
    } catch (err) { /* the counter is a help; the server checks again on send */ }
  }
  const measureSoon = () => { clearTimeout(measureTimer); measureTimer = setTimeout(measure, 120); };
  $("compose-text").addEventListener("input", measureSoon);
  $("compose-warning").addEventListener("change", measureSoon);
  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = await act("/compose", { text: $("compose-text").value, warning: $("compose-warning").checked });
    if (data) {
      $("compose-text").value = "";
      $("compose-warning").checked = false;
      measure();
      if (data.item.state === "held") notice("Screening held the post: see the thread below to edit it or post it anyway with a reason.", "error");
    }
  });

  // --- the day before ------------------------------------------------------------
  $("add-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = await act("/posts", { role: $("add-role").value, text: $("add-text").value, warning: $("add-warning").checked });
    if (data) { $("add-text").value = ""; $("add-warning").checked = false; }
  });
  $("consent-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (await act("/consents", { label: $("consent-label").value })) $("consent-label").value = "";
  });
  $("options-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = await act("/options", { physician: $("physician").value, pacing_minutes: Number($("pacing-minutes").value) });
    if (data) notice("Saved.");
  });
  $("import-send").addEventListener("click", async () => {
    const data = await act("/import", { format: $("import-format").value, source: $("import-source").value });
    if (data) notice("Script imported: an approver must sign off each post.");
  });

  refresh();
  live(slug, { onMessage: handle, onStatus: showConnection });
  measure();
}
