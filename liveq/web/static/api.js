// The JSON API helper every page shares (the overlay imports it from /static/ too).
// Sends the page's CSRF token; turns any failure into the server's own sentence.

// The token the server put on the page's root element (data-csrf); none on the overlay.
function csrfToken() {
  const holder = document.querySelector("[data-csrf]");
  return holder ? holder.dataset.csrf : null;
}

// body: undefined (none), a FormData (sent as multipart), or anything else (sent as JSON).
export async function api(method, path, body) {
  const isForm = body instanceof FormData;
  const headers = { "Accept": "application/json" };
  const token = csrfToken();
  if (token) headers["X-CSRF-Token"] = token;
  if (!isForm) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : (isForm ? body : JSON.stringify(body)),
    });
  } catch (err) {
    throw new Error("Could not reach the server; check the connection and try again.");
  }
  let data = {};
  try { data = await res.json(); } catch (err) { data = { error: `The server answered ${res.status}.` }; }
  if (!res.ok) throw new Error(data.error || `The server answered ${res.status}.`);
  return data;
}
