// The audience page's poll: the open poll's question and a form for one answer; the
// results once the moderator shows them. The page's words come from #poll's data-t-*.
import { api } from "./api.js";
import { Polls, renderBars, renderCloud } from "./polls.js";

export function pollPanel(slug) {
  const section = document.getElementById("poll");
  if (!section) return () => false;
  const words = section.dataset;
  const polls = new Polls();
  const answered = new Set(JSON.parse(sessionStorage.getItem(`polls:${slug}`) || "[]"));
  const form = document.getElementById("poll-form");
  const question = document.getElementById("poll-question");
  const choices = document.getElementById("poll-choices");
  const status = document.getElementById("poll-status");
  const bars = document.getElementById("poll-bars");
  const cloud = document.getElementById("poll-cloud");
  let shownId = null;

  function render() {
    const poll = polls.current();
    section.hidden = !poll;
    if (!poll) { shownId = null; return; }
    question.textContent = poll.question;
    const canAnswer = poll.status === "open" && !answered.has(poll.id);
    form.hidden = !canAnswer;
    if (canAnswer && shownId !== poll.id) buildChoices(poll);
    shownId = poll.id;
    if (!canAnswer && !status.textContent) {
      status.textContent = poll.status === "open" ? words.tDone : words.tClosed;
    }
    const visible = poll.results_visible && poll.counts;
    bars.hidden = !visible || poll.kind === "cloud";
    cloud.hidden = !visible || poll.kind !== "cloud";
    if (visible && poll.kind === "cloud") renderCloud(cloud, poll);
    else if (visible) renderBars(bars, poll);
  }

  // The choices and the submit button, built when a poll opens (none on the page before).
  function buildChoices(poll) {
    status.textContent = "";
    if (!form.querySelector("button")) {
      const send = document.createElement("button");
      send.type = "submit";
      send.textContent = words.tSend;
      form.append(send);
    }
    if (poll.kind === "cloud") {
      const label = document.createElement("label");
      label.htmlFor = "poll-words";
      label.textContent = words.tWords;
      const input = document.createElement("input");
      input.id = "poll-words";
      input.name = "value";
      input.dir = "auto";
      input.maxLength = 40;
      input.required = true;
      input.autocomplete = "off";
      choices.replaceChildren(label, input);
      return;
    }
    const labels = poll.kind === "choice" ? poll.options : Array.from({ length: poll.scale }, (_, i) => String(i + 1));
    const items = labels.map((text, i) => {
      const value = poll.kind === "choice" ? i : i + 1;
      const label = document.createElement("label");
      label.className = "poll-choice";
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "value";
      radio.value = String(value);
      radio.required = true;
      const span = document.createElement("span");
      span.dir = "auto";
      span.textContent = text;
      label.append(radio, " ", span);
      return label;
    });
    if (poll.kind === "rating") {
      const hint = document.createElement("p");
      hint.className = "muted small";
      hint.textContent = words.tRatingHint;
      items.unshift(hint);
    }
    choices.replaceChildren(...items);
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const poll = polls.current();
    if (!poll) return;
    const raw = new FormData(form).get("value");
    const value = poll.kind === "cloud" ? raw : Number(raw);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("POST", `/e/${encodeURIComponent(slug)}/polls/${poll.id}/answer`, { value });
      answered.add(poll.id);
      sessionStorage.setItem(`polls:${slug}`, JSON.stringify([...answered]));
      status.textContent = words.tThanks;
    } catch (err) {
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
    render();
  });

  return (msg) => {
    if (!polls.apply(msg)) return false;
    render();
    return true;
  };
}
