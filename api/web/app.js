// The search page: POST /v1/search with the key from the form; text only via textContent.
"use strict";
const $ = (id) => document.getElementById(id);
const list = (value) => value.split(/[;,|]/).map((s) => s.trim()).filter(Boolean);
$("key").value = sessionStorage.getItem("matcherKey") || "";

function tags(className, title, values) {
  const div = document.createElement("div");
  div.className = "tags " + className;
  if (!values.length) return div;
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
    const head = document.createElement("strong");
    head.textContent = `${m.supplier_name || m.supplier_id} (${m.supplier_id})`;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = m.score.toFixed(3);
    const why = document.createElement("p");
    why.className = "why";
    why.textContent = m.explanation;
    li.append(score, head, why,
      tags("", "matched", m.matched_capabilities),
      tags("", "certified", m.certifications_met),
      tags("missing", "lacks", m.certifications_missing));
    ol.append(li);
  }
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
  $("status").textContent = "Searching…";
  try {
    const response = await fetch("/v1/search", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": key },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) {
      const problems = (data.problems || []).map((p) => `${p.column}: ${p.message}`).join("; ");
      $("status").textContent = `${response.status}: ${data.detail}${problems ? " – " + problems : ""}`;
      $("results").replaceChildren();
      return;
    }
    $("status").textContent = `${data.count} supplier(s)`;
    show(data.data);
  } catch (err) {
    $("status").textContent = "The service did not answer: " + err;
  }
});
