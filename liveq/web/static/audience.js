// The audience page with JavaScript on: approved questions live, one upvote each.
// The form itself works without this file.
import { api } from "./api.js";
import { keptRows, keyWithoutVotes } from "./dom.js";
import { live, Questions } from "./live.js";
import { pollPanel } from "./poll_answer.js";

const root = document.getElementById("audience");
if (root) start(root);

function start(root) {
  const slug = root.dataset.slug;
  const questions = new Questions();
  const poll = pollPanel(slug);
  const voted = new Set(JSON.parse(sessionStorage.getItem(`voted:${slug}`) || "[]"));
  // The page's words, translated by the server (data-t-* on #live); the plural rule
  // of the page's language picks "vote" or "votes".
  const words = document.getElementById("live").dataset;
  const plural = new Intl.PluralRules(document.documentElement.lang || "en");
  // The event's option: typed answers under answered questions.
  let showAnswers = !!words.showAnswers;
  // Typed answers by question id: sent only while the event shows them.
  let answers = {};

  function showConnection(status) {
    root.dataset.connection = status === "live" ? "live" : "down";
    if (status === "live") document.getElementById("live").hidden = false;
    document.getElementById("conn").hidden = status === "live";
  }

  function render() {
    const list = [...questions.values()]
      .filter((q) => q.status === "approved" || q.status === "on_air" || q.status === "answered")
      .sort((a, b) => (a.status === "on_air" ? -1 : 0) - (b.status === "on_air" ? -1 : 0) || b.votes - a.votes || a.id - b.id);
    // Rows are kept while what they show is the same (keptRows says why): a vote
    // someone else casts never takes away the click of a person voting.
    const rows = placeRows(document.getElementById("public-questions"), list, (q) => q.id, (q) =>
      keyWithoutVotes(q, voted.has(q.id), showAnswers && answers[q.id] || null));
    rows.forEach((li, i) => showVotes(li.querySelector("button.vote"), list[i].votes));
    document.getElementById("live-status").textContent =
      list.length ? words.tVoteHint : words.tNone;
  }

  const placeRows = keptRows(item);

  function showVotes(button, votes) {
    button.textContent = `▲ ${votes}`;
    // The name starts with what the button shows (WCAG 2.5.3: a voice-control user says
    // what they see), then says what it does; the arrow is decoration.
    const name = plural.select(votes) === "one" ? words.tVoteOne : words.tVoteOther;
    button.setAttribute("aria-label", `${votes} ${name}`);
  }

  function item(q) {
    const li = document.createElement("li");
    li.className = `pq pq-${q.status}`;
    li.dataset.id = q.id;
    // dir="auto": a right-to-left question or name reads and aligns right to left.
    const text = document.createElement("p");
    text.dir = "auto";
    if (q.lang) text.lang = q.lang;  // a screen reader reads it in its own language's voice
    text.textContent = q.text;
    const meta = document.createElement("p");
    meta.className = "meta";
    const author = document.createElement("bdi");
    author.dir = "auto";
    author.textContent = q.author || words.tAnonymous;
    const state = q.status === "on_air" ? words.tOnAir : q.status === "answered" ? words.tAnswered : "";
    meta.append(author, state ? ` · ${state}` : "");
    const extra = [];
    const answer = answers[q.id];
    if (showAnswers && q.status === "answered" && answer) extra.push(answerLine(answer, words.tAnswer));
    const vote = document.createElement("button");
    vote.type = "button";
    vote.className = "vote";
    showVotes(vote, q.votes);
    vote.disabled = voted.has(q.id) || q.status === "answered";
    vote.addEventListener("click", () => upvote(q.id, vote));
    li.append(vote, text, meta, ...extra);
    return li;
  }

  // "Answer: …", the answer isolated in a <bdi> so its direction is its own.
  function answerLine(answer, label) {
    const p = document.createElement("p");
    p.className = "answer";
    const text = document.createElement("bdi");
    text.dir = "auto";
    text.textContent = answer;
    p.append(`${label} `, text);
    return p;
  }

  // The asker's own questions: their status changes are not on the public socket (a
  // pending question is nobody else's business), so the list is asked for again when
  // something changes, and every half minute.
  const mine = document.getElementById("mine");
  let mineTimer = null;
  function refreshMine(soon = 500) {
    clearTimeout(mineTimer);
    mineTimer = setTimeout(async () => {
      try {
        const data = await api("GET", `/e/${encodeURIComponent(slug)}/mine`);
        renderMine(data.questions);
      } catch (err) { /* the next refresh tries again */ }
      refreshMine(30000);
    }, soon);
  }
  function renderMine(list) {
    mine.hidden = !list.length;
    document.getElementById("my-questions").replaceChildren(...list.map((q) => {
      const li = document.createElement("li");
      li.className = `pq mine mine-${q.status}`;
      li.dataset.id = q.id;
      const text = document.createElement("p");
      text.dir = "auto";
      if (q.lang) text.lang = q.lang;
      text.textContent = q.text;
      const status = document.createElement("p");
      status.className = "meta my-status";
      status.textContent = q.status_text;
      li.append(text, status);
      if (q.answer) li.append(answerLine(q.answer, mine.dataset.tAnswer));
      return li;
    }));
  }

  async function upvote(id, button) {
    button.disabled = true;
    voted.add(id);
    sessionStorage.setItem(`voted:${slug}`, JSON.stringify([...voted]));
    try {
      const res = await api("POST", `/e/${encodeURIComponent(slug)}/questions/${id}/vote`);
      // Our own vote shows at once; everyone's counts come with the next votes frame.
      questions.count({ [id]: res.votes });
      render();
    } catch (err) {
      voted.delete(id);
      sessionStorage.setItem(`voted:${slug}`, JSON.stringify([...voted]));
      render();  // the row is built again, its button enabled
    }
  }

  live(slug, {
    onMessage: (msg) => {
      poll(msg);
      if (msg.type === "snapshot" || msg.type === "event") showAnswers = !!msg.event.show_answers;
      if (msg.type === "snapshot") answers = { ...(msg.answers || {}) };
      if (msg.type === "answers") Object.assign(answers, msg.answers);
      if (questions.apply(msg) || msg.type === "event" || msg.type === "answers") render();
      if (mine && !mine.hidden && msg.type !== "votes") refreshMine();
    },
    onStatus: showConnection,
    maxDelayMs: 15000,
  });
}
