// The reviewers' page: the logger's review queue, labels saved with the logger's admin token, and
// the ask service (ASK, from the page's meta tag) for live readings and the learned words.
"use strict";
const ASK = document.querySelector('meta[name="ask-url"]').content;
const KEYS = { admin: "ecominsight.review.admin", ask: "ecominsight.review.askkey" };
const $ = (sel) => document.querySelector(sel);
let labelled = 0;

function status(text, error = false) {
  $("#status").textContent = text;
  $("#status").className = error ? "error" : "";
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

function askLogin(why) {
  document.body.classList.add("login");
  status(why, true);
}

$("#login").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEYS.admin, $("#admin-token").value.trim());
  sessionStorage.setItem(KEYS.ask, $("#ask-key").value.trim());
  document.body.classList.remove("login");
  refresh();
});

async function logger(path, init = {}) {
  const token = sessionStorage.getItem(KEYS.admin);
  const headers = { ...(init.headers || {}), Authorization: `Bearer ${token}` };
  const resp = await fetch(path, { ...init, headers });
  if (resp.status === 401 || resp.status === 403) {
    sessionStorage.removeItem(KEYS.admin);
    askLogin("the logger refused the token: enter its admin token");
    throw new Error("token refused");
  }
  const body = await resp.json();
  if (!resp.ok) throw new Error(body.detail ? JSON.stringify(body.detail) : resp.statusText);
  return body;
}

async function ask(path, init = {}) {
  const key = sessionStorage.getItem(KEYS.ask);
  const headers = { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) };
  const resp = await fetch(ASK + path, { ...init, headers });
  const body = await resp.json();
  if (!resp.ok) throw new Error(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail));
  return body;
}

function describe(q) {
  // One line for an Interpretation: what is computed, over what, when.
  const parts = [q.metric];
  if (q.per) parts.push(`per ${q.per}`);
  if (q.group_by) parts.push(`by ${q.group_by}` + (q.then_by ? ` then ${q.then_by}` : ""));
  for (const f of q.filters || []) parts.push(`${f.field} ${f.op} ${(f.labels.length ? f.labels : f.values).join(", ")}`);
  if (q.period) parts.push(`${q.period.label} (${q.period.start} to ${q.period.end})`);
  if (q.compare_to) parts.push(`vs ${q.compare_to.label}`);
  if (q.rank) parts.push(`${q.rank} ${q.limit || ""}`.trim());
  return parts.join(" · ");
}

function reading(read) {
  if (read.understood) return { ok: true, text: `reads as: ${describe(read.interpretation)}` };
  const c = read.clarification || {};
  return { ok: false, text: `not understood (could not use: ${(c.unused || []).join(", ") || "–"}); understood: ${(c.understood || []).join(", ") || "nothing"}` };
}

function understand(item, question) {
  const body = { shop_id: item.shop_id, question, asked_on: item.last_asked.slice(0, 10) };
  return ask("/api/mcp/understand", { method: "POST", body: JSON.stringify(body) });
}

function renderItem(item) {
  const understood = el("p", { class: "muted understood" }, "understood: …");
  const rephrase = el("input", { type: "text", class: "rephrase", placeholder: "what the owner meant, e.g. revenue last month" });
  const preview = el("p", { class: "preview" });
  const save = el("button", { type: "button", class: "save", disabled: "" }, "Save label");
  const reason = el("input", { type: "text", class: "reason", placeholder: "why it is out of scope" });
  const outOfScope = el("button", { type: "button", class: "out-of-scope" }, "Out of scope");
  const node = el("div", { class: "item", "data-query-id": item.query_id, "data-shop": item.shop_id },
    el("p", { class: "question" }, item.question),
    el("p", { class: "muted" }, `shop ${item.shop_id} · ${item.why} · asked ${item.times}× · last ${item.last_asked}`),
    el("p", { class: "refusal" }, `answer: ${item.answer}`),
    understood,
    el("p", {}, el("label", {}, "Meant: ", rephrase), " ", save),
    preview,
    el("p", {}, reason, " ", outOfScope));
  understand(item, item.question)
    .then((read) => { understood.textContent = read.understood ? `understood: ${describe(read.interpretation)}` : reading(read).text; })
    .catch((err) => { understood.textContent = `the ask service did not answer: ${err.message}`; });

  let interpretation = null, timer = null, asked = 0;
  rephrase.addEventListener("input", () => {
    clearTimeout(timer);
    interpretation = null;
    save.disabled = true;
    node.dataset.preview = "pending";
    timer = setTimeout(async () => {
      const text = rephrase.value.trim();
      const mine = ++asked;
      if (!text) { preview.textContent = ""; return; }
      try {
        const read = await understand(item, text);
        if (mine !== asked) return;  // a newer keystroke is being read
        const shown = reading(read);
        preview.textContent = shown.text;
        preview.className = `preview ${shown.ok ? "ok" : "bad"}`;
        interpretation = read.understood ? read.interpretation : null;
        save.disabled = !read.understood;
        node.dataset.preview = shown.ok ? "ok" : "bad";
      } catch (err) {
        preview.textContent = `the ask service did not answer: ${err.message}`;
        preview.className = "preview bad";
        node.dataset.preview = "bad";
      }
    }, 250);
  });
  const store = async (body) => {
    try {
      await logger(`/review/${encodeURIComponent(item.query_id)}`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...body, reviewer: "review page" }),
      });
      node.remove();
      labelled += 1;
      document.body.dataset.labelled = String(labelled);
      status(`labelled ${labelled} question${labelled === 1 ? "" : "s"} this visit`);
      $("#queue-count").textContent = String(document.querySelectorAll("#queue .item").length);
    } catch (err) {
      status(`not saved: ${err.message}`, true);
    }
  };
  save.addEventListener("click", () => { if (interpretation) store({ interpretation }); });
  outOfScope.addEventListener("click", () => {
    const why = reason.value.trim();
    if (!why) { status("say why it is out of scope", true); reason.focus(); return; }
    store({ out_of_scope: true, reason: why });
  });
  return node;
}

const shops = new Set();

async function loadQueue() {
  const params = new URLSearchParams({ limit: "200" });
  if ($("#shop").value) params.set("shop_id", $("#shop").value);
  if ($("#reason").value) params.set("reason", $("#reason").value);
  const data = await logger(`/review/queue?${params}`);
  for (const item of data.items) {
    if (!shops.has(item.shop_id)) {
      shops.add(item.shop_id);
      $("#shop").append(el("option", { value: item.shop_id }, `shop ${item.shop_id}`));
    }
  }
  $("#queue").replaceChildren(...data.items.map(renderItem));
  $("#queue-count").textContent = String(data.count);
  if (!data.items.length) $("#queue").append(el("p", { class: "muted" }, "nothing to review"));
}

function statusOf(entry, state) {
  return entry.shop_id === "*" ? `promoted to every shop (${state.version})` : `adopted (serving ${state.version})`;
}

function revokeCell(entry) {
  // A learned word's Revoke button: the shop stops reading it at once, and the labels given so far
  // no longer teach it (POST /understanding/revoke on the ask service, its admin key).
  const why = el("input", { type: "text", class: "revoke-reason", placeholder: "why (optional)" });
  const button = el("button", { type: "button", class: "revoke" }, "Revoke");
  button.addEventListener("click", async () => {
    const body = { shop_id: entry.shop_id, phrase: entry.phrase, reviewer: "review page", reason: why.value.trim() || null };
    button.disabled = true;
    try {
      const done = await ask("/understanding/revoke", { method: "POST", body: JSON.stringify(body) });
      const whose = done.shop_id === "*" ? "every shop" : `shop ${done.shop_id}`;
      status(`revoked '${done.phrase}' for ${whose} (lexicon ${done.version})`);
      document.body.dataset.revoked = String(Number(document.body.dataset.revoked || 0) + 1);
      await loadLearned();
    } catch (err) {
      button.disabled = false;
      status(`not revoked: ${err.message}`, true);
    }
  });
  return el("td", {}, why, " ", button);
}

function revokedStatus(r) {
  return `revoked by ${r.by || "a reviewer"} ${r.at.slice(0, 16).replace("T", " ")}` + (r.reason ? `: ${r.reason}` : "");
}

async function loadLearned() {
  const body = $("#learned tbody");
  if (!sessionStorage.getItem(KEYS.ask)) {
    $("#proposal").textContent = "enter the ask service's admin key to see what was learned";
    body.replaceChildren();
    return;
  }
  let state;
  try {
    state = await ask("/understanding");
  } catch (err) {
    $("#proposal").textContent = `the ask service did not show what it learned: ${err.message}`;
    return;
  }
  const shop = $("#shop").value;
  const mine = (entry) => !shop || entry.shop_id === shop || entry.shop_id === "*";
  const learned = state.learned.filter(mine);
  const rows = learned.map((e) => [e.shop_id, e.phrase, e.means, e.support.length, statusOf(e, state)]);
  for (const r of state.ruled_out_of_scope || []) {
    if (mine(r)) rows.push([r.shop_id, r.phrase, "(out of scope)", r.support.length, `ruled out of scope: ${r.means}`]);
  }
  // Words a reviewer revoked (unless a later label taught them again), newest first.
  const serving = new Set(state.learned.map((e) => `${e.shop_id}|${e.phrase}|${e.means}`));
  const shown = new Set(state.learned.map((e) => `${e.shop_id}|${e.phrase}`));
  const revoked = new Set();
  for (const r of (state.revoked || []).slice().reverse()) {
    const key = `${r.shop_id}|${r.phrase}`;
    if (shown.has(key) || revoked.has(key) || !mine(r)) continue;
    revoked.add(key);
    rows.push([r.shop_id, r.phrase, r.means, r.support.length, revokedStatus(r)]);
  }
  // Words a refused proposal would have learned, with why it was refused.
  const refused = new Set();
  for (const h of (state.history || []).slice().reverse()) {
    if (h.adopted) continue;
    for (const e of h.learned || []) {
      const key = `${e.shop_id}|${e.phrase}|${e.means}`;
      if (serving.has(key) || refused.has(key) || revoked.has(`${e.shop_id}|${e.phrase}`) || !mine(e)) continue;
      refused.add(key);
      rows.push([e.shop_id, e.phrase, e.means, e.support.length, `refused in ${h.candidate}: ${(h.reasons || []).join("; ")}`]);
    }
  }
  body.replaceChildren(...rows.map((r, i) => {
    const row = el("tr", { "data-word": r[1], "data-shop": r[0] }, ...r.map((v) => el("td", {}, String(v))));
    if (i < learned.length) row.append(revokeCell(learned[i]));  // only a serving word can be revoked
    return row;
  }));
  $("#learned-version").textContent = state.version;
  const p = state.last_proposal;
  $("#proposal").textContent = p
    ? `last proposal ${p.candidate}: ${p.adopted ? "adopted" : "refused"} (understanding of ${p.held_out_labels} held-out labels ` +
      `${p.understanding_accuracy_before} → ${p.understanding_accuracy_after})` + (p.reasons.length ? `: ${p.reasons.join("; ")}` : "")
    : `learning: ${state.learning || "no proposal yet"}`;
  document.body.dataset.learnedVersion = state.version;
}

async function refresh() {
  if (!sessionStorage.getItem(KEYS.admin)) { askLogin("enter the logger's admin token"); return; }
  status("loading…");
  try {
    await Promise.all([loadQueue(), loadLearned()]);
    status(labelled ? `labelled ${labelled} this visit` : "ready");
    document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
  } catch (err) {
    if (err.message !== "token refused") status(`could not load: ${err.message}`, true);
  }
}

$("#shop").addEventListener("change", refresh);
$("#reason").addEventListener("change", refresh);
$("#refresh-learned")?.addEventListener("click", loadLearned);
refresh();
