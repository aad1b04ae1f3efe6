// The search page: POST /v1/search with the key from the form; text only via textContent.
"use strict";
const $ = (id) => document.getElementById(id);
const list = (value) => value.split(/[;,|]/).map((s) => s.trim()).filter(Boolean);
$("key").value = sessionStorage.getItem("matcherKey") || "";

// What a buyer should do about each error answer; the server's detail follows it.
const ADVICE = {
  401: "The API key was not accepted. Check the key and search again.",
  403: "This key may not search.",
  413: "The request is too large.",
  422: "The search was not understood.",
  429: "Too many searches at once.",
  503: "The service is busy. Try again in a moment.",
};

function tags(className, title, values) {
  const div = document.createElement("div");
  div.className = "tags " + className;
  if (!values || !values.length) return div;
  div.append(title + ": ");
  for (const v of values) {
    const span = document.createElement("span");
    span.textContent = v;
    div.append(span);
  }
  return div;
}

function show(matches) {
  const ol = $("results");
  ol.replaceChildren();
  for (const m of matches) {
    const li = document.createElement("li");
    li.className = "match";
    li.dataset.supplierId = m.supplier_id;
    const head = document.createElement("strong");
    head.className = "name";
    head.textContent = m.supplier_name || m.supplier_id;
    const sid = document.createElement("code");
    sid.className = "sid";
    sid.textContent = m.supplier_id;
    const score = document.createElement("span");
    score.className = "score";
    score.title = "match score";
    score.textContent = Number(m.score).toFixed(3);
    const why = document.createElement("p");
    why.className = "why";
    why.textContent = m.explanation;
    li.append(score, head, " ", sid, why,
      tags("matched", "matched", m.matched_capabilities),
      tags("certified", "certified", m.certifications_met),
      tags("missing", "lacks", m.certifications_missing));
    ol.append(li);
  }
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

// An error answer as one readable sentence, whether or not its body is JSON.
function describe(response, data, text) {
  const detail = (data && data.detail) || text.trim().slice(0, 200) || response.statusText;
  const problems = ((data && data.problems) || [])
    .map((p) => (p.column ? `${p.column}: ${p.message}` : p.message)).join("; ");
  let message = `${ADVICE[response.status] || "The search failed."} (${response.status}: ${detail})`;
  if (problems) message += ` – ${problems}`;
  const retry = response.headers.get("Retry-After");
  if (response.status === 429 && retry) message += ` Try again in ${retry} s.`;
  return message;
}

$("search").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("key").value.trim();
  sessionStorage.setItem("matcherKey", key);
  const body = {
    query: $("query").value,
    top_k: Number($("topk").value) || 10,
    filters: {
      certifications: list($("certs").value),
      sectors: [...$("sectors").selectedOptions].map((o) => o.value),
      provinces: list($("provinces").value),
    },
  };
  showError("");
  $("status").textContent = "Searching…";
  $("results").setAttribute("aria-busy", "true");
  $("submit").disabled = true;
  try {
    const response = await fetch("/v1/search", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": key },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch (_) {
      data = null; // a proxy's HTML error page, say: shown as text below
    }
    if (!response.ok || !data) {
      $("results").replaceChildren();
      $("status").textContent = "";
      showError(describe(response, data, text));
      return;
    }
    show(data.data);
    // why_empty names the hard filter that left no supplier (e.g. a certificate nobody holds).
    const why = data.why_empty ? ` (${data.why_empty})` : "";
    $("status").textContent = data.count === 0
      ? `No supplier matches this search${why}. Try other words or fewer filters.`
      : `${data.count} supplier${data.count === 1 ? "" : "s"}, best first.`;
  } catch (err) {
    $("results").replaceChildren();
    $("status").textContent = "";
    showError("The service did not answer: " + err.message);
  } finally {
    $("results").removeAttribute("aria-busy");
    $("submit").disabled = false;
  }
});
