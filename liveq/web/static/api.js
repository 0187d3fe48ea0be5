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
    throw failure("Could not reach the server; check the connection and try again.", 0);
  }
  let data = {};
  try { data = await res.json(); } catch (err) { data = { error: `The server answered ${res.status}.` }; }
  if (!res.ok) throw failure(data.error || `The server answered ${res.status}.`, res.status);
  return data;
}

// An Error with the server's sentence and its HTTP status (0: the server was not reached),
// so a caller can tell "refused" from "unreachable".
function failure(message, status) {
  const err = new Error(message);
  err.status = status;
  return err;
}
