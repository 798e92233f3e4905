// The armemu console's only script: the buttons and forms, and the live journal.
// Every action is a call to the test-control API (JSON, same origin) or, for what a client
// would do (recover or purge a soft-deleted workspace), to ARM itself with a token from
// POST /_emulator/ui/token. After an action the page reloads to show the new state; the
// outcome is shown in the status line (kept across the reload).
"use strict";

const STATUS_KEY = "armemu-console-status";

function say(text, failed) {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = text;
  el.className = failed ? "failed" : "done";
}

function sayAfterReload(text) {
  sessionStorage.setItem(STATUS_KEY, text);
  location.reload();
}

// The error an answer carries, as ARM shapes it ({"error":{"code","message"}}), or its status.
async function failure(resp) {
  let text = "";
  try {
    const body = await resp.json();
    const e = body.error || body;
    text = [e.code, e.message].filter(Boolean).join(": ");
  } catch (_) {
    // Not JSON: the status says it.
  }
  return new Error(`${resp.status} ${text || resp.statusText}`);
}

async function control(method, path, body) {
  const init = { method, headers: { "Content-Type": "application/json", "X-ArmEmu-Control": "console" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const resp = await fetch(path, init);
  if (!resp.ok) throw await failure(resp);
  return resp.status === 204 ? null : resp.json().catch(() => null);
}

let token = null;

async function arm(method, path, body) {
  if (!token) token = (await control("POST", "/_emulator/ui/token")).accessToken;
  const headers = { Authorization: `Bearer ${token}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp = await fetch(path, init);
  if (!resp.ok) throw await failure(resp);
  // A long-running operation: follow it a little, as a client would, then let the page show
  // where it is (in a polls:N or seconds:T mode it may still be running).
  let poll = resp.headers.get("Azure-AsyncOperation") || resp.headers.get("Location");
  for (let i = 0; poll && (resp.status === 201 || resp.status === 202) && i < 10; i++) {
    const wait = Math.min(Number(resp.headers.get("Retry-After") || 1), 2);
    await new Promise((r) => setTimeout(r, wait * 1000));
    resp = await fetch(poll, { headers });
    if (!resp.ok) throw await failure(resp);
    const status = (await resp.clone().json().catch(() => ({}))).status;
    if (resp.status === 200 && status && !["InProgress", "Accepted", "Running"].includes(status)) break;
  }
  return resp.status;
}

function formJson(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") out[el.name] = el.checked;
    else if (el.type === "number") out[el.name] = el.value === "" ? null : Number(el.value);
    else if (el.type !== "file") out[el.name] = el.value.trim();
  }
  return out;
}

// The fault form as POST /_emulator/faults takes it (empty fields left out).
function faultRule(f) {
  const pick = (keys) => Object.fromEntries(keys.filter((k) => f[k] !== "" && f[k] !== null && f[k] !== false).map((k) => [k, f[k]]));
  const rule = {
    match: pick(["method", "pathPrefix", "operationId"]),
    action: pick(["status", "code", "message", "retryAfter", "latencyMs", "drop", "failOperation"]),
  };
  Object.assign(rule, pick(["times", "afterMatches", "probability", "expiresAt"]));
  return rule;
}

const actions = {
  async recover(a) {
    const status = await arm("PUT", `${a.id}?api-version=${a.apiVersion}`, {
      properties: { allowRecoverSoftDeletedWorkspace: "True" },
    });
    return `Recovered ${a.name} (${status}).`;
  },
  async purge(a) {
    if (!confirm(`Purge ${a.name} now? It cannot be recovered afterwards.`)) return null;
    const status = await arm("DELETE", `${a.id}?api-version=${a.apiVersion}&forceToPurge=true`);
    return `Purged ${a.name} (${status}).`;
  },
  async "remove-lro"(a) {
    await control("PATCH", "/_emulator/settings", { lro: { [a.kind]: null } });
    return `Removed the LRO mode of ${a.kind}.`;
  },
  async "delete-fault"(a) {
    await control("DELETE", `/_emulator/faults/${encodeURIComponent(a.id)}`);
    return `Deleted fault rule ${a.id}.`;
  },
  async "clear-faults"() {
    if (!confirm("Delete every fault rule?")) return null;
    await control("DELETE", "/_emulator/faults");
    return "Deleted every fault rule.";
  },
  async "clear-journal"() {
    if (!confirm("Empty the journal?")) return null;
    await control("DELETE", "/_emulator/journal");
    return "Emptied the journal.";
  },
  async reset() {
    if (!confirm("Reset the emulator to its start state? Every resource created since is lost.")) return null;
    await control("POST", "/_emulator/reset");
    return "Reset to the start state.";
  },
};

const forms = {
  async advance(f) {
    const c = await control("POST", "/_emulator/clock/advance", { [f.unit]: f.amount });
    return `The clock is now ${c.now}.`;
  },
  async "set-clock"(f) {
    const c = await control("POST", "/_emulator/clock/set", { now: f.now });
    return `The clock is now ${c.now}.`;
  },
  async lro(f) {
    await control("PATCH", "/_emulator/settings", { lro: { [f.kind]: f.mode } });
    return `LRO mode of ${f.kind} set to ${f.mode}.`;
  },
  async settings(f) {
    await control("PATCH", "/_emulator/settings", { registrationDelay: f.registrationDelay, pageSize: f.pageSize });
    return "Settings saved.";
  },
  async fault(f) {
    const rule = await control("POST", "/_emulator/faults", faultRule(f));
    return `Added fault rule ${rule.id}.`;
  },
  async "import-state"(_f, form) {
    const file = form.elements.file.files[0];
    if (!file) throw new Error("Choose a state document first.");
    const counts = await control("PUT", "/_emulator/state", JSON.parse(await file.text()));
    return `Imported ${counts.subscriptions} subscriptions, ${counts.resourceGroups} groups, ${counts.resources} resources.`;
  },
};

async function run(work) {
  say("Working…", false);
  try {
    const done = await work();
    if (done === null) say("Cancelled.", false);
    else sayAfterReload(done);
  } catch (e) {
    say(e.message, true);
  }
}

document.addEventListener("click", (ev) => {
  const button = ev.target.closest("[data-action]");
  if (!button || !actions[button.dataset.action]) return;
  ev.preventDefault();
  const args = JSON.parse(button.dataset.args || "{}");
  run(() => actions[button.dataset.action](args));
});

document.addEventListener("submit", (ev) => {
  const form = ev.target.closest("form[data-form]");
  if (!form || !forms[form.dataset.form]) return;
  ev.preventDefault();
  run(() => forms[form.dataset.form](formJson(form), form));
});

// ---- The live journal ----

function passes(entry, filter) {
  const same = (a, b) => String(a ?? "").toLowerCase() === String(b).toLowerCase();
  for (const [k, want] of Object.entries(filter)) {
    if (k === "status") {
      const s = String(entry.status);
      if (/^[1-5]xx$/i.test(want) ? s[0] !== want[0] : s !== want) return false;
    } else if (k === "pathPrefix") {
      if (!entry.path.toLowerCase().startsWith(want.toLowerCase())) return false;
    } else if (k === "since") {
      if (new Date(entry.time) < new Date(want)) return false;
    } else if (!same(entry[k], want)) {
      return false;
    }
  }
  return true;
}

function journalRow(e) {
  const tr = document.createElement("tr");
  if (e.status >= 400) tr.className = "failed";
  const cell = (text, cls) => {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text ?? "";
    tr.appendChild(td);
    return td;
  };
  const first = cell("", "num");
  const a = document.createElement("a");
  a.href = `/_emulator/ui/journal/${e.seq}`;
  a.textContent = e.seq;
  first.appendChild(a);
  const time = document.createElement("time");
  time.dateTime = e.time;
  time.textContent = String(e.time).slice(0, 23).replace("T", " ");
  cell("").appendChild(time);
  cell(e.method);
  cell(e.path, "path");
  cell(e.operationId);
  cell(e.status, "num");
  cell(e.errorCode);
  cell(e.principal, "mono");
  cell(Number(e.latencyMs).toFixed(2), "num");
  cell((e.changes || []).length, "num");
  return tr;
}

async function liveJournal(table) {
  const filter = JSON.parse(table.dataset.filter || "{}");
  const live = document.getElementById("live");
  const body = table.tBodies[0];
  const resp = await fetch("/_emulator/journal/stream");
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  table.dataset.live = "open";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line || !live.checked) continue;
      const entry = JSON.parse(line);
      if (!passes(entry, filter)) continue;
      body.insertBefore(journalRow(entry), body.firstChild);
      while (body.rows.length > 500) body.deleteRow(body.rows.length - 1);
    }
  }
  table.dataset.live = "closed";
}

document.addEventListener("DOMContentLoaded", () => {
  const kept = sessionStorage.getItem(STATUS_KEY);
  if (kept) {
    sessionStorage.removeItem(STATUS_KEY);
    say(kept, false);
  }
  const table = document.getElementById("journal");
  if (table) liveJournal(table).catch((e) => say(`The live journal stopped: ${e.message}`, true));
});
