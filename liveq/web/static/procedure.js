// The procedure page: the day before (script, photos, sign-off, checklist) and
// the day (post next, composer with a live counter, pause/resume, pacing).
// Every text from the server goes in with textContent, never innerHTML.
import { api } from "./api.js";
import { el, notice, showConnection } from "./dom.js";
import { grades, showGrade } from "./reading.js";
import { live } from "./live.js";
import { NETWORK_NAMES } from "./networks.js";
import { photoReview, showProgress } from "./photo_review.js";
import { threadPanel } from "./thread.js";

start(document.getElementById("procedure"));

function start(root) {
  const slug = root.dataset.slug;
  const base = `/api/v1/events/${encodeURIComponent(slug)}/procedure`;
  let state = null;
  let clockSkew = 0; // server time - our time, in seconds
  const photoInputs = new Map(); // post id -> {box, file, alt}
  const awaitedInputs = new Map(); // photo id -> its file input

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
  const checks = new Map(); // photo id -> its check's progress (photo_check frames)
  function handle(m) {
    thread(m);
    if (m.type === "photo_check") { checks.set(m.photo_id, m); showProgress(m); return; }
    // The snapshot starts each (re)connection: changes may have been missed meanwhile.
    if (m.type === "snapshot") refresh();
    else if (m.type === "procedure_changed" || (m.type === "outbox" && m.item.state === "posted")) refreshSoon();
  }

  // --- rendering ---------------------------------------------------------------
  const PHASE = { preparing: "Procedure: preparing", live: "Procedure: live", paused: "Procedure: paused" };

  function setState(s) {
    state = s;
    clockSkew = s.now - Date.now() / 1000;
    const approver = s.role === "approver";
    // The event's state; the connection has its own badge (#conn: "Connected").
    const phase = s.paused ? "paused" : s.live ? "live" : "preparing";
    $("phase").textContent = PHASE[phase];
    $("phase").className = `badge phase phase-${phase}`;
    $("day").hidden = !s.live || approver;
    $("readiness").hidden = s.live;
    $("problems").replaceChildren(...s.problems.map((p) => el("li", "", p)));
    $("go-live").disabled = s.problems.length > 0;
    for (const id of ["go-live", "consent-form", "options-box", "add-form", "import-box"]) $(id).hidden = approver || (id === "go-live" && s.live);
    $("consents").replaceChildren(...s.consents.map((c) => consentRow(c, approver)));
    if (document.activeElement !== $("physician")) $("physician").value = s.physician;
    if (document.activeElement !== $("pacing-minutes")) $("pacing-minutes").value = Math.round(s.pacing_seconds / 60);
    missingPhotos(s.missing_photos, approver);
    // On the day an approver is here for what changed: say so at the top.
    const unsigned = [...s.script, ...s.holding, ...s.facts].filter((p) => !p.signed);
    $("to-sign").hidden = !(approver && s.live && unsigned.length);
    $("to-sign-list").replaceChildren(...unsigned.map((p) => {
      const li = el("li");
      const why = p.sign_cleared ? "edited after sign-off" : "not signed off";
      li.append(el("strong", "", postName(p)), ` (${why}): `, el("span", "", `“${p.body}”`));
      return li;
    }));
    // Drawing the rows again moves the kept photo inputs into new rows, which takes the
    // focus from whoever is typing alt text there: it is given back, caret and all.
    const focused = document.activeElement;
    const caret = focused && focused.tagName === "INPUT" && focused.type === "text"
      ? [focused.selectionStart, focused.selectionEnd] : null;
    for (const [id, posts] of [["script", s.script], ["holding", s.holding], ["facts", s.facts]]) {
      const rows = posts.map((p) => postRow(p, approver));
      $(id).replaceChildren(...(rows.length ? rows : [el("li", "empty muted small", "None yet.")]));
    }
    if (focused && focused !== document.activeElement && focused.isConnected) {
      focused.focus();
      if (caret) focused.setSelectionRange(...caret);
    }
    // The day.
    const next = s.next;
    $("next-pos").textContent = next ? `(${next.position} of ${s.script.length})` : "";
    $("next-text").textContent = next ? next.body : "The script is done: every post has been queued.";
    $("next-photos").replaceChildren(...(next ? next.photos.map(photo) : []));
    // Not clickable when it cannot work, and the reason beside it.
    $("post-next").disabled = Boolean(s.next_blocked);
    $("next-blocked").textContent = s.next_blocked;
    $("next-blocked").hidden = !s.next_blocked;
    $("pause").hidden = s.paused;
    $("resume").hidden = !s.paused;
    pacing();
    // A photo being checked: look again soon (an approver's page gets no live frames).
    const checking = [...s.script, ...s.holding, ...s.facts].some((p) => p.photos.some((ph) => !ph.missing && ph.check.state === "pending"));
    clearTimeout(checkTimer);
    if (checking) checkTimer = setTimeout(refresh, 1000);
  }
  let checkTimer = null;

  function consentRow(c, readOnly) {
    const li = el("li", c.done ? "done" : "");
    const label = el("label", "check");
    const box = el("input");
    box.type = "checkbox";
    box.checked = c.done;
    box.disabled = readOnly;
    box.dataset.consent = c.id;
    box.addEventListener("change", () => act(`/consents/${c.id}`, { done: box.checked }));
    label.append(box, document.createTextNode(c.label));
    li.append(label);
    if (c.done) li.append(el("span", "muted small", ` — ${c.done_by}, ${new Date(c.done_at * 1000).toLocaleString()}`));
    return li;
  }

  // A photo as the approver signs it: the image itself (full size on click), its alt text.
  function photo(ph) {
    const fig = el("figure", `photo${ph.missing ? " missing" : ""}`);
    if (ph.missing) {
      fig.append(el("span", "placeholder", `${ph.file}: waiting for upload`));
    } else {
      const link = el("a");
      link.href = ph.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.title = "Open full size";
      const img = el("img", "photo-thumb");
      img.src = ph.url;
      img.alt = ph.alt_text;
      img.loading = "lazy";
      link.append(img);
      fig.append(link);
    }
    const caption = el("figcaption", "small", ph.alt_text);
    caption.dir = "auto";
    fig.append(caption);
    return fig;
  }

  const ROLE_NAME = { script: "Script post", fact: "Fact", holding: "Holding statement" };
  const postName = (p) => (p.role === "holding" ? ROLE_NAME.holding : `${ROLE_NAME[p.role]} ${p.position}`);

  // The photos an imported script named that nobody has uploaded: one row each.
  function missingPhotos(list, approver) {
    $("missing-photos-box").hidden = list.length === 0;
    $("missing-photos").replaceChildren(...list.map((m) => {
      const li = el("li");
      const what = postName(m);
      const text = el("span", "what");
      text.append(el("strong", "", what), ` · ${m.file} — `, el("span", "muted", `“${m.alt_text}”`));
      li.append(text);
      if (!approver) {
        if (!awaitedInputs.has(m.photo_id)) {
          const file = el("input");
          file.type = "file";
          file.accept = "image/png,image/jpeg,image/gif,image/webp";
          file.setAttribute("aria-label", `Photo file for ${m.file}`);
          awaitedInputs.set(m.photo_id, file);
        }
        const file = awaitedInputs.get(m.photo_id);
        li.append(file, button("Upload", () => uploadAwaited(m, file), "upload"));
      }
      return li;
    }));
  }

  async function uploadAwaited(m, file) {
    if (!file.files.length) { notice(`Choose the file for ${m.file} first.`, "error"); return; }
    const form = new FormData();
    form.append("photo", file.files[0]);
    if (await act(`/posts/${m.post_id}/photos/${m.photo_id}/upload`, form)) {
      awaitedInputs.delete(m.photo_id);
      notice(`Uploaded ${m.file}.`);
    }
  }

  function postRow(p, approver) {
    const li = el("li", "script-post");
    li.dataset.id = p.id;
    li.dataset.signed = p.signed ? "yes" : "no";
    const main = el("div", "post-main");
    const text = el("p", "post-text", p.body);
    text.dir = "auto";
    main.append(text);
    if (p.photos.length) {
      const photos = el("div", "photos");
      for (const ph of p.photos) {
        const editable = p.outbox_id === null || p.role === "holding";
        const progress = checks.get(ph.id) || state.checks[ph.id];
        const fig = ph.missing ? photo(ph) : photoReview(ph, p, { approver, editable, act, progress });
        if (!approver && p.outbox_id === null) fig.append(button("remove", () => act(`/posts/${p.id}/photos/${ph.id}/delete`), "link remove"));
        photos.append(fig);
      }
      main.append(photos);
    }
    // Where another network cuts the post into a short thread, the approver reads each part.
    for (const [network, parts] of Object.entries(p.splits || {})) {
      const box = el("details", "network-split small");
      box.dataset.network = network;
      box.append(el("summary", "", `On ${NETWORK_NAMES[network] || network}: ${parts.length} posts`));
      const list = el("ol", "split-parts");
      for (const part of parts) {
        const item = el("li", "", part);
        item.dir = "auto";
        list.append(item);
      }
      box.append(list);
      main.append(box);
    }
    const status = p.signed ? `✔ signed off by ${p.signed_by} (version ${p.version})`
      : p.sign_cleared ? `✘ edited after sign-off: needs a new sign-off (version ${p.version})`
        : `✘ not signed off (version ${p.version})`;
    const line = el("p", `status small ${p.signed ? "signed" : "unsigned"}`, status);
    if (p.outbox_id !== null && p.role !== "holding") line.append(el("span", "queued-note", " · in the thread"));
    main.append(line);
    li.append(main);
    const actions = el("div", "actions small");
    if (approver && !p.signed) {
      const sign = button("Sign off", () => act(`/posts/${p.id}/sign`, { version: p.version }), "sign");
      const waiting = p.photos.filter((ph) => ph.missing);
      const unclear = p.photos.filter((ph) => !ph.missing && (ph.check.state !== "done" || ph.open_findings));
      if (waiting.length) {
        sign.disabled = true;
        sign.title = `Waiting for ${waiting.map((ph) => ph.file).join(", ")}: nobody signs a photo they cannot see.`;
      } else if (unclear.length) {
        sign.disabled = true;
        sign.title = "A photo is still being checked or shows something unresolved: blur it, black it out or approve a staff face first.";
      }
      actions.append(sign);
    }
    if (!approver && (p.outbox_id === null || p.role === "holding")) {
      actions.append(button("Edit…", () => editPost(p)), button("Delete", () => act(`/posts/${p.id}/delete`)));
      // The same inputs across re-renders: a change elsewhere never wipes a chosen photo.
      if (!photoInputs.has(p.id)) {
        const box = el("details", "add-photo");
        box.append(el("summary", "", "Add photo"));
        const file = el("input");
        file.type = "file";
        file.accept = "image/png,image/jpeg,image/gif,image/webp";
        file.className = "photo-file";
        file.setAttribute("aria-label", "Photo file");
        const alt = el("input");
        alt.placeholder = "alt text (required)";
        alt.className = "photo-alt";
        alt.setAttribute("aria-label", "Alt text");
        box.append(file, alt, button("Add", () => addPhoto(p.id, file, alt), "photo-add"));
        photoInputs.set(p.id, { box, file, alt });
      }
      actions.append(photoInputs.get(p.id).box);
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
    if (!state) return;
    if (state.next_blocked) { notice(state.next_blocked, "error"); return; }
    const data = await act("/next");
    if (data) notice(`Queued: ${data.item.text}`);
  }
  $("post-next").addEventListener("click", postNext);
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey && (ev.key === "n" || ev.code === "KeyN") && state && state.live && state.role !== "approver") {
      ev.preventDefault();
      postNext();
    }
  });
  $("post-fact").addEventListener("click", () => state.suggested_fact && act(`/facts/${state.suggested_fact.id}/post`));
  // Each says what just happened, replacing whatever the last action said.
  $("pause").addEventListener("click", async () => {
    if (await act("/pause")) notice("Thread paused: the holding statement is going out; queued posts wait until you resume.");
  });
  $("resume").addEventListener("click", async () => {
    if (await act("/resume")) notice("Thread resumed: the queued posts go out in order.");
  });
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
      const [grade] = await grades(slug, [text]);
      if ($("compose-text").value === text) showGrade($("compose-grade"), grade);
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
    if (!data) return;
    const waiting = data.missing_photos.length;
    notice(waiting
      ? `Script imported. Upload the ${waiting} photo${waiting === 1 ? "" : "s"} it names (listed under "Photos to upload"); then an approver signs off each post.`
      : "Script imported: an approver must sign off each post.");
  });

  refresh();
  live(slug, { onMessage: handle, onStatus: showConnection });
  measure();
}
