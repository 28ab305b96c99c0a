// EcomInsight dashboard: reads /dashboard/data with the filters in the address bar and draws it
// with Chart.js (shipped in this folder). The token (?token=..., or asked for on 401/403) is kept
// in sessionStorage for this tab only and never left in the address bar.
"use strict";
(function () {
  const PALETTE = ["#3556d8", "#e8702a", "#2ca05a", "#c8374b", "#8a55c7", "#1f9bb4", "#b8912f", "#6b7280"];
  const WINDOWS = { "1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 };
  const TOKEN_KEY = "ecominsight.dashboard.token";
  const charts = {};
  const $ = (id) => document.getElementById(id);
  let renders = 0;
  let shopsShown = "";

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  const params = new URLSearchParams(location.search);
  if (params.has("token")) {
    sessionStorage.setItem(TOKEN_KEY, params.get("token"));
    params.delete("token");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  if (params.get("shop")) $("shop").add(new Option("shop " + params.get("shop"), params.get("shop")));  // a link's shop
  $("shop").value = params.get("shop") || "";
  $("window").value = params.get("window") || "all";
  $("since").value = params.get("since") || "";
  $("until").value = params.get("until") || "";

  const fmtInt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
  const fmtPct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%");
  const fmtMs = (x) => (x === null || x === undefined ? "–" : x.toFixed(1) + " ms");
  const label = (iso, width) => {
    const d = iso.slice(0, 10), t = iso.slice(11, 16);
    return width >= 86400 ? d : d.slice(5) + " " + t;
  };

  function status(text, error) {
    const el = $("status");
    el.textContent = text;
    el.classList.toggle("error", !!error);
  }

  function query() {
    const q = new URLSearchParams();
    const shop = $("shop").value, win = $("window").value;
    if (shop) q.set("shop_id", shop);
    if (win in WINDOWS) {
      q.set("since", new Date(Date.now() - WINDOWS[win] * 1000).toISOString());
    } else if (win === "custom") {
      if ($("since").value) q.set("since", $("since").value + "Z");
      if ($("until").value) q.set("until", $("until").value + "Z");
    }
    return q;
  }

  function remember() {
    const p = new URLSearchParams();
    if ($("shop").value) p.set("shop", $("shop").value);
    if ($("window").value !== "all") p.set("window", $("window").value);
    if ($("window").value === "custom") {
      if ($("since").value) p.set("since", $("since").value);
      if ($("until").value) p.set("until", $("until").value);
    }
    history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p : ""));
    const custom = $("window").value === "custom";
    $("since").disabled = $("until").disabled = !custom;
  }

  async function fetchData(asked) {
    const headers = {};
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    const r = await fetch("/dashboard/data?" + query(), { headers });
    if ((r.status === 401 || r.status === 403) && !asked) {
      const given = window.prompt("The logger's read token (ECOMINSIGHT_LOGGER_READ_TOKEN):");
      if (given) {
        sessionStorage.setItem(TOKEN_KEY, given.trim());
        return fetchData(true);
      }
    }
    if (!r.ok) {
      let detail = r.statusText;
      try { detail = JSON.stringify((await r.json()).detail); } catch (e) { /* not JSON */ }
      throw new Error(r.status + ": " + detail);
    }
    return r.json();
  }

  function draw(id, type, labels, datasets, options) {
    const config = {
      type, data: { labels, datasets },
      options: Object.assign({ interaction: { mode: "index", intersect: false }, spanGaps: false }, options || {}),
    };
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), config);
  }

  const ds = (label, data, i, extra) => Object.assign(
    { label, data, borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
      pointRadius: 0, borderWidth: 2 }, extra || {});
  const stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };

  function total(name, text) {
    document.querySelectorAll('[data-total="' + name + '"]').forEach((el) => { el.textContent = text; });
  }

  function render(d) {
    const labels = d.buckets.map((b) => label(b, d.bucket_seconds));
    const s = d.series, t = d.totals;
    draw("chart-queries", "bar", labels, [ds("queries", s.queries, 0), ds("fallbacks", s.fallbacks, 1)],
      { scales: { y: { beginAtZero: true } } });
    draw("chart-success", "line", labels, [ds("success rate", s.success_rate, 2)],
      { scales: { y: { min: 0, max: 1, ticks: { callback: (v) => Math.round(v * 100) + "%" } } } });
    draw("chart-latency", "line", labels, [ds("p50", s.p50_ms, 0), ds("p99", s.p99_ms, 3)],
      { scales: { y: { beginAtZero: true, title: { display: true, text: "ms" } } } });
    draw("chart-feedback", "bar", labels, [ds("positive", s.positive, 2), ds("negative", s.negative, 3)], stacked);
    draw("chart-intents", "bar", labels, Object.entries(d.intents).map(([name, data], i) => ds(name, data, i)), stacked);
    draw("chart-review", "bar", labels, [ds("to review", s.review_queue, 4)], { scales: { y: { beginAtZero: true } } });
    const versions = Object.entries(d.models.series);  // side by side: traffic (solid), success (dashed)
    draw("chart-models", "line", labels, [
      ...versions.map(([v, data], i) => ds(v + " queries", data.queries, i)),
      ...versions.map(([v, data], i) => ds(v + " success", data.success_rate, i, { yAxisID: "rate", borderDash: [5, 4] })),
    ], { scales: { y: { beginAtZero: true, title: { display: true, text: "queries" } },
                   rate: { position: "right", min: 0, max: 1, grid: { drawOnChartArea: false },
                           ticks: { callback: (v) => Math.round(v * 100) + "%" } } } });

    total("queries", fmtInt(t.queries));
    total("fallbacks", fmtInt(t.fallbacks));
    total("success_rate", fmtPct(t.success_rate));
    total("p50_ms", fmtMs(t.p50_ms));
    total("p99_ms", fmtMs(t.p99_ms));
    total("positive", fmtInt(t.positive));
    total("negative", fmtInt(t.negative));
    total("review_queue", fmtInt(t.review_queue));
    total("threshold", String(d.low_confidence_threshold));
    total("intents", Object.keys(d.intents).length + " intents");
    total("versions", d.models.versions.length + " versions");

    const body = document.querySelector("#versions tbody");
    body.replaceChildren(...d.models.versions.map((v) => {
      const tr = document.createElement("tr");
      tr.dataset.version = v.version;
      for (const cell of [v.version, fmtInt(v.queries), fmtPct(v.success_rate), fmtMs(v.p50_ms), fmtMs(v.p99_ms),
        fmtInt(v.fallbacks), fmtInt(v.positive), fmtInt(v.negative)]) {
        const td = document.createElement("td");
        td.textContent = cell;
        tr.appendChild(td);
      }
      return tr;
    }));

    const shops = JSON.stringify(d.shops);
    if (shops !== shopsShown) {  // keep the chosen shop, add the ones that appeared
      const chosen = $("shop").value;
      $("shop").replaceChildren(new Option("all shops", ""), ...d.shops.map((id) => new Option("shop " + id, id)));
      if (chosen && !d.shops.includes(chosen)) $("shop").add(new Option("shop " + chosen, chosen));
      $("shop").value = chosen;
      shopsShown = shops;
    }
    const width = d.bucket_seconds >= 86400 ? d.bucket_seconds / 86400 + " d" :
      d.bucket_seconds >= 3600 ? d.bucket_seconds / 3600 + " h" : d.bucket_seconds / 60 + " min";
    status(fmtInt(t.queries) + " queries · buckets of " + width + " · updated " + new Date().toLocaleTimeString());
    document.body.dataset.renders = String(++renders);
    document.body.dataset.shop = $("shop").value;
  }

  async function refresh() {
    remember();
    try {
      render(await fetchData(false));
    } catch (e) {
      status("could not load: " + e.message, true);
      document.body.dataset.error = e.message;
    }
  }

  for (const id of ["shop", "window", "since", "until"]) $(id).addEventListener("change", refresh);
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, 30000);
})();
