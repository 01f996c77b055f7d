// MineRefine search page: no dependencies, same-origin requests only.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const TIERS = ["exact", "partial", "irrelevant", "unknown"];
  let thresholds = null;

  const headers = () => {
    const key = $("apikey").value.trim();
    if (key) sessionStorage.setItem("apikey", key);
    return key ? { "X-Api-Key": key } : {};
  };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  const fmt = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v)) ? "–" : Number(v).toFixed(d);

  function showError(problem) {
    const box = $("error");
    box.replaceChildren();
    box.append(el("strong", null, problem.title || "Request failed"));
    if (problem.detail) box.append(el("div", null, problem.detail));
    if (problem.errors) {
      const ul = el("ul");
      for (const [field, msgs] of Object.entries(problem.errors)) ul.append(el("li", null, `${field}: ${msgs.join("; ")}`));
      box.append(ul);
    }
    box.hidden = false;
  }

  async function loadInfo() {
    try {
      const r = await fetch("/v1/info", { headers: headers() });
      if (!r.ok) { $("engine").textContent = r.status === 503 ? "Engine is loading…" : `Engine info unavailable (${r.status})`; return; }
      const info = await r.json();
      thresholds = info.engine.thresholds;
      $("k").max = info.limits.maxK;
      $("q").maxLength = info.limits.maxQueryLength;
      const t = thresholds ? ` · thresholds exact ≥ ${fmt(thresholds.exact)}, partial ≥ ${fmt(thresholds.partial)}` : " · no calibrated thresholds";
      $("engine").textContent = `${info.engine.name} · ${info.engine.productCount} products${t}`;
    } catch (e) {
      $("engine").textContent = "Engine info unavailable";
    }
  }

  function renderResults(resp) {
    const list = $("results");
    list.replaceChildren();
    for (const r of resp.results) {
      const li = el("li");
      li.dataset.productId = r.productId;
      li.append(el("span", "rank", `${r.rank}.`));
      li.append(el("span", "title", r.title ?? `(unknown product ${r.productId})`));
      const tier = r.tier ?? "unknown";
      const badge = el("span", `badge tier-${tier}`, r.tier ?? "no tier");
      badge.setAttribute("aria-label", `grade tier: ${r.tier ?? "unknown"}`);
      li.append(badge);
      li.append(el("span", "category", r.category && r.category.length ? r.category.join(" › ") : "uncategorised"));
      const dl = el("dl", "scores");
      const add = (name, value) => { const d = el("div"); d.append(el("dt", null, name), el("dd", null, value)); dl.append(d); };
      add("dense", fmt(r.dense));
      add("bm25", fmt(r.bm25, 2));
      if (resp.mode === "hybrid") add("fused", fmt(r.fused, 4));
      add("ranks", `d ${r.denseRank ?? "–"} / b ${r.bm25Rank ?? "–"}`);
      li.append(dl);
      list.append(li);
    }
  }

  // Histogram of the dense scores of the results, stacked by tier, with threshold lines.
  function renderChart(results) {
    const chart = $("chart");
    chart.replaceChildren();
    const pts = results.filter((r) => r.dense !== null && r.dense !== undefined && !Number.isNaN(r.dense));
    $("dist").hidden = pts.length === 0;
    if (pts.length === 0) return;
    const W = 640, H = 200, L = 36, R = 12, T = 34, B = 28, BINS = 20;
    const vals = pts.map((r) => r.dense);
    const marks = thresholds ? [thresholds.exact, thresholds.partial] : [];
    let lo = Math.min(...vals, ...marks), hi = Math.max(...vals, ...marks);
    if (hi - lo < 1e-6) { lo -= 0.05; hi += 0.05; }
    const pad = (hi - lo) * 0.04; lo -= pad; hi += pad;
    const width = (hi - lo) / BINS;
    const counts = Array.from({ length: BINS }, () => ({ exact: 0, partial: 0, irrelevant: 0, unknown: 0 }));
    for (const r of pts) {
      const b = Math.min(BINS - 1, Math.max(0, Math.floor((r.dense - lo) / width)));
      counts[b][r.tier ?? "unknown"]++;
    }
    const maxCount = Math.max(1, ...counts.map((c) => c.exact + c.partial + c.irrelevant + c.unknown));
    const x = (v) => L + ((v - lo) / (hi - lo)) * (W - L - R);
    const y = (n) => H - B - (n / maxCount) * (H - T - B);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("role", "img");
    const summary = TIERS.map((t) => `${pts.filter((r) => (r.tier ?? "unknown") === t).length} ${t}`).join(", ");
    svg.setAttribute("aria-label", `Histogram of ${pts.length} dense scores from ${fmt(Math.min(...vals))} to ${fmt(Math.max(...vals))}: ${summary}`);
    const title = document.createElementNS(SVG, "title");
    title.textContent = "Dense score distribution of the results, coloured by grade tier";
    svg.append(title);
    const node = (tag, attrs, text) => {
      const n = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      svg.append(n);
      return n;
    };
    node("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#8c959f" });
    counts.forEach((c, i) => {
      let base = 0;
      for (const t of TIERS) {
        if (!c[t]) continue;
        const x0 = x(lo + i * width) + 1, x1 = x(lo + (i + 1) * width) - 1;
        node("rect", { x: x0, y: y(base + c[t]), width: Math.max(1, x1 - x0), height: y(base) - y(base + c[t]), class: `tier-${t}` });
        base += c[t];
      }
    });
    if (thresholds) {
      for (const [name, v] of [["exact", thresholds.exact], ["partial", thresholds.partial]]) {
        node("line", { x1: x(v), y1: T, x2: x(v), y2: H - B, class: "threshold" });
        node("text", { x: x(v), y: name === "exact" ? 12 : 26, "text-anchor": "middle", class: "threshold-label" }, `${name} ≥ ${fmt(v)}`);
      }
    }
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      node("text", { x: x(v), y: H - 8, "text-anchor": "middle" }, fmt(v, 2));
    }
    node("text", { x: 4, y: T + 4 }, String(maxCount));
    node("text", { x: 4, y: H - B }, "0");
    chart.append(svg);
  }

  async function search(ev) {
    if (ev) ev.preventDefault();
    const q = $("q").value.trim();
    $("error").hidden = true;
    $("degraded").hidden = true;
    if (!q) { showError({ title: "Type a query first", errors: { q: ["is required"] } }); $("q").focus(); return; }
    const params = new URLSearchParams({ q, k: $("k").value || "10", mode: document.querySelector("input[name=mode]:checked").value });
    if ($("minGrade").value) params.set("minGrade", $("minGrade").value);
    history.replaceState(null, "", `?${params}`);
    $("go").disabled = true;
    $("status").textContent = "Searching…";
    try {
      const r = await fetch(`/v1/search?${params}`, { headers: headers() });
      const body = await r.json().catch(() => ({ title: `HTTP ${r.status}` }));
      if (!r.ok) { showError(body); $("status").textContent = ""; return; }
      renderResults(body);
      renderChart(body.results);
      const warn = $("degraded");
      warn.hidden = !body.degraded;
      warn.textContent = body.degraded
        ? `Partial results: shard${body.missingShards.length === 1 ? "" : "s"} ${body.missingShards.join(", ")} did not answer, so matching items stored there are missing.`
        : "";
      $("status").textContent = `${body.results.length} result${body.results.length === 1 ? "" : "s"} for “${body.query}” (${body.mode}, k = ${body.k})`;
    } catch (e) {
      showError({ title: "Network error", detail: String(e) });
      $("status").textContent = "";
    } finally {
      $("go").disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("apikey").value = sessionStorage.getItem("apikey") || "";
    $("search-form").addEventListener("submit", search);
    const p = new URLSearchParams(location.search);
    if (p.get("k")) $("k").value = p.get("k");
    if (p.get("mode")) { const m = document.querySelector(`input[name=mode][value="${CSS.escape(p.get("mode"))}"]`); if (m) m.checked = true; }
    if (p.get("minGrade")) $("minGrade").value = p.get("minGrade");
    await loadInfo();
    if (p.get("q")) { $("q").value = p.get("q"); search(); }
  });
})();
