// gapless ops console: polls the HTTP API with the key kept in session storage.
"use strict";

const KEY = "gapless-api-key";
const REFRESH_MS = 5000;
const KPI_ROWS = [
  ["orders", "orders", "n"],
  ["entry_time_seconds", "entry time (s)", "s"],
  ["processing_time_seconds", "processing time (s)", "s"],
  ["cycle_time_seconds", "cycle time (s)", "s"],
  ["released_on_time_rate", "released on time", "%"],
  ["shipped_on_time_rate", "shipped on time", "%"],
  ["unit_fill_rate", "unit fill rate", "%"],
  ["line_fill_rate", "line fill rate", "%"],
  ["order_fill_rate", "order fill rate", "%"],
  ["first_time_fill_rate", "first-time fill", "%"],
  ["invoice_accuracy", "invoice accuracy", "%"],
  ["order_accuracy", "order accuracy", "%"],
  ["perfect_order_rate", "perfect orders", "%"],
  ["cancellation_rate", "cancelled", "%"],
  ["backorder_rate", "backordered", "%"],
  ["stockout_rate", "stockout lines", "%"],
  ["exception_rate", "exceptions", "%"],
];
let timer = null;

function key() { return sessionStorage.getItem(KEY); }

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${key()}`, ...(options.headers || {}) };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(body?.detail || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = el("tr");
  for (const cell of cells) tr.append(cell instanceof Node ? cell : el("td", cell));
  return tr;
}

function fill(tbody, rows, empty) {
  tbody.replaceChildren(...(rows.length ? rows : [row([empty])]));
}

function show(value, unit) {
  if (value === null || value === undefined) return "-";
  if (unit === "%") return `${(value * 100).toFixed(1)}%`;
  if (unit === "s") return value.toFixed(0);
  return String(value);
}

async function signIn(event) {
  event.preventDefault();
  const candidate = document.getElementById("api-key").value.trim();
  sessionStorage.setItem(KEY, candidate);
  try {
    await api("/v1/kpis");
    document.getElementById("sign-in-error").textContent = "";
    start();
  } catch (error) {
    sessionStorage.removeItem(KEY);
    document.getElementById("sign-in-error").textContent = `Sign-in failed: ${error.message}`;
  }
}

function signOut() {
  sessionStorage.removeItem(KEY);
  clearInterval(timer);
  document.getElementById("console").hidden = true;
  document.getElementById("sign-out").hidden = true;
  document.getElementById("sign-in").hidden = false;
}

function start() {
  document.getElementById("sign-in").hidden = true;
  document.getElementById("console").hidden = false;
  document.getElementById("sign-out").hidden = false;
  refresh();
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
}

async function refresh() {
  const hours = Number(document.getElementById("window-hours").value);
  const from = new Date(Date.now() - hours * 3600 * 1000).toISOString();
  const errors = [];
  const settle = async (name, work) => {
    try { await work(); } catch (error) {
      if (error.status === 401) signOut();
      errors.push(`${name}: ${error.message}`);
    }
  };
  await Promise.all([
    settle("kpis", async () => drawKpis(await api(`/v1/kpis?from=${encodeURIComponent(from)}`))),
    settle("orders", async () => drawOrders(await api("/v1/orders?limit=15"))),
    settle("andon", async () => drawAndon(await api("/v1/andon/pulls?open=true"))),
    settle("gaps", async () => drawGaps(await api("/v1/gaps"))),
    settle("andon stats", async () => drawAndonStats(await api("/v1/andon/stats"))),
    settle("improvements", async () => drawImprovements(await api("/v1/improvements?limit=1"))),
  ]);
  document.getElementById("load-error").textContent = errors.join("; ");
  document.getElementById("updated").textContent = new Date().toLocaleTimeString();
}

function drawKpis(report) {
  const statuses = Object.entries(report.statuses).sort();
  fill(document.querySelector("#statuses tbody"),
    statuses.map(([status, count]) => row([status, el("td", count, "num")])), "no orders yet");

  const o = report.overall;
  const funnel = [["received", o.orders], ["released", o.released],
    ["shipped", o.shipped], ["completed", o.completed]];
  const top = Math.max(1, o.orders);
  document.getElementById("funnel").replaceChildren(...funnel.map(([label, count]) => {
    const line = el("div", null, "funnel-row");
    const bar = el("div", null, "bar");
    bar.style.width = `${(count / top) * 60}%`;
    line.append(el("span", label, "label"), bar, el("span", count));
    line.dataset.step = label;
    return line;
  }));

  const segments = Object.entries(report.segments);
  const groups = [["all", o], ...segments];
  const head = row([el("th", "KPI"), ...groups.map(([name]) => el("th", name))]);
  document.querySelector("#kpis thead").replaceChildren(head);
  const body = KPI_ROWS.map(([field, label, unit]) =>
    row([label, ...groups.map(([, figures]) => el("td", show(figures[field], unit), "num"))]));
  body.push(row(["target fill rate", el("td", "-"), ...segments.map(([, f]) =>
    judged(f.targets && `${(f.targets.target_fill_rate * 100).toFixed(0)}%`,
      f.targets && f.targets.fill_rate_met))]));
  body.push(row(["target response (min)", el("td", "-"), ...segments.map(([, f]) =>
    judged(f.targets && f.targets.target_response_minutes,
      f.targets && f.targets.response_time_met))]));
  document.querySelector("#kpis tbody").replaceChildren(...body);

  chart("throughput-chart", report.hours, [["received", "#1f6feb"], ["shipped", "#137333"]],
    (h, field) => h[field]);
  chart("cycle-chart", report.hours, [["cycle_time_seconds", "#b3561e"]],
    (h, field) => (h[field] === null ? 0 : h[field] / 60));
}

function judged(text, met) {
  const cell = el("td", text ?? "-", met === true ? "num met" : met === false ? "num missed" : "num");
  if (met !== null && met !== undefined) cell.title = met ? "met" : "missed";
  return cell;
}

function chart(id, hours, series, value) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 300 100");
  svg.setAttribute("preserveAspectRatio", "none");
  const top = Math.max(1e-9, ...hours.flatMap((h) => series.map(([f]) => value(h, f))));
  const width = 300 / Math.max(1, hours.length) / series.length;
  hours.forEach((h, i) => series.forEach(([field, color], j) => {
    const bar = document.createElementNS(ns, "rect");
    const height = (value(h, field) / top) * 95;
    bar.setAttribute("x", String((i * series.length + j) * width));
    bar.setAttribute("y", String(100 - height));
    bar.setAttribute("width", String(Math.max(0.5, width * 0.9)));
    bar.setAttribute("height", String(height));
    bar.setAttribute("fill", color);
    const tip = document.createElementNS(ns, "title");
    tip.textContent = `${h.hour} ${field}: ${value(h, field).toFixed(1)}`;
    bar.append(tip);
    svg.append(bar);
  }));
  const legend = el("div", series.map(([f]) => f).join(" / ") + ` (max ${top.toFixed(2)})`, "hint");
  document.getElementById(id).replaceChildren(svg, legend);
}

function drawOrders(orders) {
  fill(document.querySelector("#orders tbody"), orders.map((o) => row([
    o.order_id.slice(0, 8), o.customer_id, o.segment, o.status, o.holds.join(", "),
    el("td", (o.total_cents / 100).toFixed(2), "num"), o.placed_at.slice(0, 19)])), "no orders");
}

function drawAndon(pulls) {
  fill(document.querySelector("#andon tbody"), pulls.map((p) => {
    const resolve = el("button", "Resolve");
    resolve.className = "resolve";
    resolve.dataset.pull = p.pull_id;
    resolve.addEventListener("click", () => resolvePull(p));
    return row([`${p.target_kind} ${p.target_id}`, p.category, p.reason,
      `${Math.round(p.age_seconds / 60)} min`, p.affected_orders.length, p.ticket.status,
      el("td").appendChild(resolve).parentNode]);
  }), "no open pulls");
}

function drawGaps(gaps) {
  fill(document.querySelector("#gaps tbody"), gaps.map((g) => row([
    g.order_id.slice(0, 8), g.step, `${Math.round(g.overdue_seconds / 60)} min`])), "no open gaps");
}

function minutes(seconds) {
  return seconds === null || seconds === undefined ? "-" : `${(seconds / 60).toFixed(1)} min`;
}

function drawAndonStats(stats) {
  const lines = [["all", stats], ...Object.entries(stats.categories)];
  fill(document.querySelector("#andon-stats tbody"), lines.map(([name, line]) => row([
    name, el("td", line.pull_count, "num"), el("td", line.open_count, "num"),
    el("td", minutes(line.mean_seconds_to_resolve), "num")])), "no pulls");
  const rate = stats.gaps_per_1000_orders;
  document.getElementById("gap-rate").textContent = `${stats.open_gaps} open gaps; `
    + `${stats.gaps_detected} detected in ${stats.orders_watched} orders `
    + `(${rate === null ? "-" : rate.toFixed(1)} per 1,000)`;
}

function drawImprovements(report) {
  fill(document.querySelector("#pareto tbody"), report.pareto_by_count.map((c) => row([
    c.category, c.cause_code, el("td", c.items, "num"), el("td", c.orders_affected, "num")])),
  "no improvement items yet");
  fill(document.querySelector("#owners tbody"), Object.entries(report.open_by_owner).map(
    ([owner, count]) => row([owner, el("td", count, "num")])), "nothing open");
  fill(document.querySelector("#offenders tbody"), report.repeat_offenders.map((o) => row([
    `${o.target_kind} ${o.target_id}`, el("td", o.pulls, "num"),
    el("td", o.orders_affected, "num")])), "no repeat offenders");
  document.getElementById("recurrence").textContent = show(report.recurrence_rate, "%");
  document.getElementById("audits").textContent = String(report.audits);
}

async function pull(event) {
  event.preventDefault();
  const message = document.getElementById("andon-message");
  try {
    const answer = await api("/v1/andon/pulls", { method: "POST", body: JSON.stringify({
      target: { kind: document.getElementById("pull-kind").value,
        id: document.getElementById("pull-target").value.trim() },
      category: document.getElementById("pull-category").value,
      reason: document.getElementById("pull-reason").value.trim(),
      pulled_by: "ops console",
    }) });
    message.className = "message";
    message.textContent = answer.new ? "Pulled." : "That target already has an open pull.";
    await refresh();
  } catch (error) {
    message.className = "error";
    message.textContent = `Pull failed: ${error.message}`;
  }
}

let resolving = null;
let causes = null;

async function resolvePull(p) {
  causes = causes || await api("/v1/improvements/causes");
  resolving = p;
  const form = document.getElementById("resolve-form");
  document.getElementById("resolve-target").textContent = `${p.target_kind} ${p.target_id}`;
  const codes = causes[p.category] || ["unclassified"];
  document.getElementById("resolve-cause-code").replaceChildren(
    ...codes.map((code) => { const o = el("option", code); o.value = code; return o; }));
  const audit = new Date(Date.now() + 14 * 86400 * 1000);
  document.getElementById("resolve-audit").value = audit.toISOString().slice(0, 10);
  form.hidden = false;
  document.getElementById("resolve-root-cause").focus();
}

async function submitResolve(event) {
  event.preventDefault();
  const message = document.getElementById("andon-message");
  const p = resolving;
  if (!p) return;
  const owner = document.getElementById("resolve-owner").value.trim();
  const audit = document.getElementById("resolve-audit").value;
  const body = {
    root_cause: document.getElementById("resolve-root-cause").value.trim(),
    fix: document.getElementById("resolve-fix").value.trim(),
    cause_code: document.getElementById("resolve-cause-code").value,
    ...(owner ? { owner } : {}),
    ...(audit ? { audit_at: new Date(`${audit}T09:00:00Z`).toISOString() } : {}),
  };
  try {
    await api(`/v1/andon/pulls/${p.pull_id}/resolve`, { method: "POST", body: JSON.stringify(body) });
    message.className = "message";
    message.textContent = "Resolved.";
    closeResolve();
    await refresh();
  } catch (error) {
    message.className = "error";
    message.textContent = `Resolve failed: ${error.message}`;
  }
}

function closeResolve() {
  resolving = null;
  const form = document.getElementById("resolve-form");
  form.reset();
  form.hidden = true;
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("sign-in-form").addEventListener("submit", signIn);
  document.getElementById("sign-out").addEventListener("click", signOut);
  document.getElementById("pull-form").addEventListener("submit", pull);
  document.getElementById("resolve-form").addEventListener("submit", submitResolve);
  document.getElementById("resolve-cancel").addEventListener("click", closeResolve);
  document.getElementById("window-hours").addEventListener("change", refresh);
  if (key()) start();
});
