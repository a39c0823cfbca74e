// The bot dashboard's page: reads the API, listens to /api/bot/stream (server-sent events) and
// redraws the parts an event touches. Plain JavaScript, no build step. Text from the server is
// always set with textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

const view = {
  session: null, // the session whose metrics and events are shown
  pinned: false, // true once the user picked a session; otherwise follow the bot's session
  tasks: new Map(), // task id -> {id, type, priority, status, created_at}
  events: new Map(), // event id -> event (with .source = "sse" | "history", .seq = arrival)
  seq: 0,
  storageState: null,
};

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (_) {
    json = null;
  }
  if (!response.ok) {
    throw new Error((json && json.error) || `${response.status} ${response.statusText}`);
  }
  return json;
}

function show(message, isError) {
  const box = $("message");
  box.textContent = message;
  box.dataset.kind = isError ? "error" : "info";
  box.hidden = false;
  clearTimeout(show.timer);
  show.timer = setTimeout(() => (box.hidden = true), 8000);
}

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => fn().catch((e) => show(e.message, true)), ms);
  };
}

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function time(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleTimeString();
}

function short(id) {
  return id ? id.slice(0, 8) : "–";
}

// Task ids begin with their creation time, so their ends tell them apart.
function tail(id) {
  return id ? id.slice(-8) : "–";
}

// ---- bot, sessions, metrics ------------------------------------------------------------------

async function refreshStatus() {
  const s = await api("GET", "/api/bot/status");
  const badge = $("bot-state");
  badge.textContent = s.state;
  badge.dataset.state = s.state;
  $("bot-session").textContent = s.session_id || "–";
  $("bot-changed").textContent = time(s.timestamp);
  $("bot-by").textContent = s.updated_by || "–";
  $("start").disabled = !(s.state === "stopped" || s.state === "error");
  $("stop").disabled = !(s.state === "running" || s.state === "starting");
  if (!view.pinned && s.session_id && s.session_id !== view.session) {
    await selectSession(s.session_id, false);
  }
}

async function refreshSessions() {
  const data = await api("GET", "/api/bot/sessions?limit=20");
  const body = $("sessions");
  body.replaceChildren();
  for (const s of data.all) {
    const row = el("tr", null, { "data-session": s.id });
    if (s.id === view.session) row.className = "selected";
    row.append(
      el("td", s.session_name, { title: s.id }),
      el("td", s.status, { "data-state": s.status }),
      el("td", s.total_checks),
      el("td", s.total_accepted),
      el("td", s.total_rejected),
    );
    row.addEventListener("click", () => selectSession(s.id, true).catch((e) => show(e.message, true)));
    body.append(row);
  }
}

async function refreshMetrics() {
  if (!view.session) return;
  const m = await api("GET", `/api/bot/metrics/${encodeURIComponent(view.session)}`);
  $("m-checks").textContent = m.total_checks;
  $("m-accepted").textContent = m.total_accepted;
  $("m-rejected").textContent = m.total_rejected;
  $("m-login").textContent = m.login_status;
  $("m-status").textContent = m.status;
  $("m-uptime").textContent = Number(m.uptime).toFixed(1);
}

async function selectSession(id, pinned) {
  view.session = id;
  view.pinned = view.pinned || pinned;
  $("metrics-session").textContent = `session ${short(id)}`;
  // The session's history from the API; live events keep arriving over the stream.
  const data = await api("GET", `/api/bot/events/${encodeURIComponent(id)}?limit=30`);
  addHistory(data.events);
  renderEvents();
  await Promise.all([refreshMetrics(), refreshSessions()]);
}

// ---- events ----------------------------------------------------------------------------------

// An event is marked "sse" when it came over the stream, even if a re-read listed it first.
function addEvent(event, source) {
  const known = view.events.get(event.id);
  if (known) {
    if (source === "sse") known.source = "sse";
    return;
  }
  view.seq += 1;
  view.events.set(event.id, { ...event, source, seq: view.seq });
}

// Lists from the API are newest first: add them oldest first, so arrival order breaks ties
// between events of the same second.
function addHistory(events) {
  for (const event of [...events].reverse()) addEvent(event, "history");
}

function renderEvents() {
  const sorted = [...view.events.values()].sort((a, b) =>
    a.timestamp === b.timestamp ? b.seq - a.seq : a.timestamp < b.timestamp ? 1 : -1,
  );
  for (const old of sorted.slice(150)) view.events.delete(old.id);
  const list = $("event-log");
  list.replaceChildren();
  for (const e of sorted.slice(0, 150)) {
    const item = el("li", null, { "data-id": e.id, "data-type": e.type, "data-source": e.source });
    item.append(
      el("time", time(e.timestamp)),
      el("b", e.type),
      el("span", short(e.session_id), { class: "session" }),
      el("code", e.data === "{}" ? "" : e.data),
    );
    list.append(item);
  }
}

// ---- tasks -----------------------------------------------------------------------------------

async function refreshTasks() {
  const q = await api("GET", "/api/bot/tasks");
  $("count-pending").textContent = q.pending_count;
  $("count-processing").textContent = q.processing;
  $("count-scheduled").textContent = q.scheduled;
  $("count-dead").textContent = q.dead;
  $("count-completed").textContent = q.counters.completed;
  const bars = $("by-priority");
  bars.replaceChildren();
  const priorities = Object.entries(q.pending_by_priority).sort((a, b) => Number(b[0]) - Number(a[0]));
  for (const [priority, n] of priorities) {
    const bar = el("div", null, { "data-priority": priority });
    bar.append(el("span", `priority ${priority}`), el("i", null, { style: `width:${Math.min(100, n * 8)}%` }), el("b", n));
    bars.append(bar);
  }
  for (const t of q.tasks) {
    const known = view.tasks.get(t.id);
    view.tasks.set(t.id, { ...(known || {}), ...t });
  }
  renderTasks();
}

function onQueueEvent(event) {
  const ids = event.ids || (event.id ? [event.id] : []);
  let unknown = false;
  for (const id of ids) {
    const task = view.tasks.get(id);
    if (task && event.status) {
      task.status = event.status;
    } else if (!task) {
      unknown = true;
    }
  }
  if (ids.length) renderTasks();
  scheduleTasks();
  if (unknown) scheduleTasks();
}

const ORDER = { processing: 0, pending: 1, scheduled: 2, failed: 3, completed: 4, dead: 5, cancelled: 6 };

function renderTasks() {
  const rows = [...view.tasks.values()].sort(
    (a, b) =>
      (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) ||
      b.priority - a.priority ||
      (a.created_at < b.created_at ? -1 : 1),
  );
  // Keep every live task and the 20 newest finished ones.
  const finished = rows.filter((t) => (ORDER[t.status] ?? 9) >= 4);
  for (const old of finished.slice(20)) view.tasks.delete(old.id);
  const body = $("task-rows");
  body.replaceChildren();
  for (const t of rows) {
    if (!view.tasks.has(t.id)) continue;
    const row = el("tr", null, { "data-id": t.id, "data-type": t.type });
    row.append(
      el("td", tail(t.id), { title: t.id }),
      el("td", t.type),
      el("td", t.priority),
      el("td", t.status, { class: "status", "data-state": t.status }),
      el("td", time(t.created_at)),
    );
    body.append(row);
  }
}

async function addTask(type) {
  const added = await api("POST", "/api/bot/tasks/add", { task_type: type });
  if (!view.tasks.has(added.task_id) || view.tasks.get(added.task_id).status === "pending") {
    view.tasks.set(added.task_id, {
      ...(view.tasks.get(added.task_id) || {}),
      id: added.task_id,
      type: added.type,
      priority: added.priority,
      status: (view.tasks.get(added.task_id) || {}).status || added.status,
      created_at: new Date().toISOString(),
    });
  }
  renderTasks();
}

// ---- storage ---------------------------------------------------------------------------------

const BACKENDS = { redis: "Redis", file: "embedded file store", memory: "in memory" };

function renderStorage(s) {
  $("storage-backend").textContent = BACKENDS[s.backend] || s.backend;
  const badge = $("storage-state");
  badge.textContent = s.state;
  badge.dataset.state = s.state;
  $("storage-location").textContent = s.location || "–";
  $("storage-breaker").textContent = s.breaker || (s.failover ? "–" : "no failover (no Redis)");
  $("storage-journal").textContent = s.journal_len === null ? "–" : `${s.journal_len} writes waiting`;
  const progress = $("storage-progress");
  if (s.replay) {
    progress.hidden = false;
    progress.value = s.replay.percent;
    $("storage-replay").textContent = `${s.replay.replayed} replayed, ${s.replay.remaining} to go (${s.replay.percent}%)`;
  } else {
    progress.hidden = true;
    $("storage-replay").textContent = s.state === "degraded" ? "waiting for Redis" : "–";
  }
  const r = s.last_recovery;
  $("storage-recovery").textContent = r
    ? `replayed ${r.replayed} writes after a ${(r.outage_ms / 1000).toFixed(1)} s outage, ${time(r.finished_at)}`
    : "–";
  const redis = s.redis;
  $("storage-redis").textContent = redis
    ? `${redis.version || "?"} · ${redis.connected_clients ?? "?"} clients · ${Math.round((redis.used_memory || 0) / 1024)} KiB`
    : s.error
      ? `not answering: ${s.error}`
      : "–";
  $("storage-keys").textContent = s.keys ?? "–";
  if (view.storageState !== s.state) {
    const line = view.storageState
      ? `${time(s.updated_at)} ${view.storageState} → ${s.state}`
      : `${time(s.updated_at)} ${s.state}`;
    const item = el("li", line, { "data-state": s.state });
    $("storage-history").prepend(item);
    view.storageState = s.state;
  }
}

// ---- live updates ----------------------------------------------------------------------------

const scheduleBot = debounce(() => Promise.all([refreshStatus(), refreshSessions(), refreshMetrics()]), 150);
const scheduleTasks = debounce(refreshTasks, 150);

async function refreshAll() {
  await refreshStatus();
  await Promise.all([refreshSessions(), refreshMetrics(), refreshTasks()]);
  const system = await api("GET", "/api/bot/system-status");
  addHistory(system.recent_events);
  renderEvents();
  renderStorage(system.storage);
}

function setLive(state) {
  const pill = $("sse-status");
  pill.textContent = state;
  pill.dataset.state = state;
}

function connect() {
  const source = new EventSource("/api/bot/stream");
  let opened = false;
  source.onopen = () => {
    setLive("live");
    // After a reconnect, what happened meanwhile is only in the state.
    if (opened) refreshAll().catch((e) => show(e.message, true));
    opened = true;
  };
  source.onerror = () => setLive("reconnecting");
  source.addEventListener("bot", (e) => {
    addEvent(JSON.parse(e.data), "sse");
    renderEvents();
    scheduleBot();
  });
  source.addEventListener("queue", (e) => onQueueEvent(JSON.parse(e.data)));
  source.addEventListener("storage", (e) => renderStorage(JSON.parse(e.data)));
  source.addEventListener("gap", () => refreshAll().catch((e) => show(e.message, true)));
}

async function init() {
  const types = await api("GET", "/api/bot/task-types");
  const buttons = $("task-buttons");
  for (const t of types) {
    const button = el("button", `+ ${t.type} (${t.priority})`, { type: "button", "data-task": t.type });
    button.addEventListener("click", () => addTask(t.type).catch((e) => show(e.message, true)));
    buttons.append(button);
  }
  $("start-form").addEventListener("submit", (e) => {
    e.preventDefault();
    api("POST", "/api/bot/start", { session_name: $("session-name").value })
      .then((r) => {
        show(`started session ${short(r.session.id)}`);
        view.pinned = false;
        return refreshAll();
      })
      .catch((err) => show(err.message, true));
  });
  $("stop").addEventListener("click", () =>
    api("POST", "/api/bot/stop")
      .then((r) => {
        show(`stopped session ${short(r.session_id)}`);
        return refreshAll();
      })
      .catch((err) => show(err.message, true)),
  );
  connect();
  await refreshAll();
  // A safety net for anything a stream could not tell (the stream is what makes it live).
  setInterval(() => refreshAll().catch((e) => show(e.message, true)), 5000);
}

init().catch((e) => show(e.message, true));
