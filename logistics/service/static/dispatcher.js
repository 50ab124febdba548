// The dispatcher page: submit a job, follow it, see its map and timeline, download its files.
// Everything a user or a job wrote is put on the page as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
let current = null;   // the job being watched
let timer = null;

function key() { return $("key").value.trim(); }

function headers() { return { "Authorization": "Bearer " + key() }; }

function say(text, isError) {
  $("message").textContent = text;
  $("message").className = isError ? "error" : "";
}

async function api(path, options) {
  const r = await fetch(path, Object.assign({ headers: headers() }, options || {}));
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const detail = body && (body.detail || body);
    const msg = detail && detail.error ? detail.error : ("HTTP " + r.status);
    throw new Error(msg);
  }
  return body;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
}

function when(t) { return t ? new Date(t * 1000).toLocaleTimeString() : ""; }

async function loadFleets() {
  const r = await fetch("/v1/fleets");
  const body = await r.json();
  const sel = $("fleet");
  sel.textContent = "";
  for (const f of body.fleets) {
    const o = document.createElement("option");
    o.value = f.name;
    o.textContent = f.name + " — " + f.label;
    sel.appendChild(o);
  }
}

async function refreshList() {
  if (!key()) { return; }
  try {
    const body = await api("/v1/jobs?limit=50");
    const tbody = $("jobs").querySelector("tbody");
    tbody.textContent = "";
    for (const j of body.jobs) {
      const tr = document.createElement("tr");
      tr.className = "job-row" + (current === j.id ? " selected" : "");
      tr.dataset.jobId = j.id;
      cell(tr, j.name);
      cell(tr, j.status);
      cell(tr, when(j.created));
      tr.addEventListener("click", () => watch(j.id));
      tbody.appendChild(tr);
    }
  } catch (e) { say(e.message, true); }
}

async function send() {
  const file = $("file").files[0];
  if (!key()) { say("Enter your API key first.", true); return; }
  if (!file) { say("Choose a file to upload.", true); return; }
  const mode = document.querySelector("input[name=mode]:checked").value;
  const form = new FormData();
  if (mode === "orders") {
    form.append("orders", file, "orders.csv");
    form.append("fleet", $("fleet").value);
    form.append("time_limit", $("time-limit").value || "5");
  } else {
    form.append("job", file, file.name);
  }
  say("Sending…", false);
  try {
    const job = await api("/v1/jobs/upload", { method: "POST", body: form });
    say("Queued " + job.name + ".", false);
    await refreshList();
    watch(job.id);
  } catch (e) { say(e.message, true); }
}

function show(job) {
  $("job-title").textContent = job.name + " (" + job.kind + ")";
  const dl = $("job-status");
  dl.textContent = "";
  const p = job.progress || {};
  const rows = [["status", job.status], ["phase", p.phase || ""],
                ["elapsed", p.elapsed_s != null ? p.elapsed_s + " s" : ""],
                ["best objective so far", p.best_cost != null ? "¥" + Number(p.best_cost).toFixed(2) : "not reported (yet)"],
                ["attempts", String(job.attempts)]];
  for (const n of (p.notes || [])) { rows.push(["note", n]); }
  if (job.error) { rows.push(["error", job.error]); }
  if (job.result && job.result.kpis) {
    const k = job.result.kpis;
    rows.push(["plan", job.result.status + ": " + k.vehicles + " vehicles, " + k.distance_km + " km, cost ¥" + k.cost
               + ", " + job.result.unserved + " unserved"]);
  }
  for (const [name, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }
  dl.dataset.status = job.status;
}

async function showResults(job) {
  const t = await api("/v1/jobs/" + encodeURIComponent(job.id) + "/ticket");
  const q = "?ticket=" + encodeURIComponent(t.ticket);
  const ul = $("downloads");
  ul.textContent = "";
  for (const [name, url] of Object.entries(job.files)) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = url + q;
    a.textContent = name;
    a.setAttribute("download", name);
    li.appendChild(a);
    ul.appendChild(li);
  }
  if (job.files["map.html"]) {
    $("map").src = job.files["map.html"] + q;
    $("map").style.display = "block";
  }
  if (job.files["timeline.png"]) {
    $("timeline").src = job.files["timeline.png"] + q;
    $("timeline").style.display = "block";
  }
}

async function poll() {
  if (!current) { return; }
  try {
    const job = await api("/v1/jobs/" + encodeURIComponent(current));
    show(job);
    if (["done", "failed", "cancelled"].includes(job.status)) {
      clearInterval(timer);
      timer = null;
      if (job.status === "done") { await showResults(job); }
      await refreshList();
    }
  } catch (e) { say(e.message, true); }
}

function watch(id) {
  current = id;
  $("downloads").textContent = "";
  $("map").style.display = "none";
  $("map").removeAttribute("src");
  $("timeline").style.display = "none";
  if (timer) { clearInterval(timer); }
  timer = setInterval(poll, 1000);
  poll();
}

function modeChanged() {
  const mode = document.querySelector("input[name=mode]:checked").value;
  $("fleet-row").style.display = mode === "orders" ? "block" : "none";
}

document.addEventListener("DOMContentLoaded", () => {
  $("send").addEventListener("click", send);
  $("refresh").addEventListener("click", refreshList);
  $("key").addEventListener("change", refreshList);
  for (const r of document.querySelectorAll("input[name=mode]")) { r.addEventListener("change", modeChanged); }
  modeChanged();
  loadFleets().catch((e) => say(e.message, true));
});
