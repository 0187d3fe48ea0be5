// The reading grade of posts (liveq/tweettext/readability.py, through the API): a hint
// beside each post and in the composer, never a block. Grades are kept per text.
import { api } from "./api.js";

const known = new Map();  // text -> grade (null: too short to grade)
let target = 8;

// Grades for these texts, asking the server only for the ones not known yet.
export async function grades(slug, texts) {
  const missing = [...new Set(texts.filter((t) => !known.has(t)))];
  if (missing.length) {
    const data = await api("POST", `/api/v1/events/${encodeURIComponent(slug)}/reading-grade`, { texts: missing });
    target = data.target;
    missing.forEach((t, i) => known.set(t, data.grades[i]));
  }
  return texts.map((t) => known.get(t));
}

export const knownGrade = (text) => known.get(text);

// Put the hint for `grade` into `node` ("" when the text is too short to grade).
export function showGrade(node, grade) {
  if (grade === null || grade === undefined) {
    node.textContent = "";
    node.className = "grade";
    return;
  }
  const over = grade > target;
  node.textContent = over
    ? `Reading grade ${grade.toFixed(1)}: aim for ${target} or lower`
    : `Reading grade ${grade.toFixed(1)}`;
  node.title = `Flesch-Kincaid grade level. The NIH advises health information for the public at about grade ${target}: shorter sentences and shorter words read more easily. A hint only; nothing is held back.`;
  node.className = `grade ${over ? "over" : "ok"}`;
}
