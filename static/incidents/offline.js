// Offline queue for incident reports (docs/api.md, issue 4). No build step, no CDN.
//
// With JavaScript, a report is first written to IndexedDB on this phone, then sent as
// JSON to the API with its client-chosen id. It counts as sent only after the server
// answered 200 or 201; a 400 or 409 is shown to the observer and never retried blindly;
// anything else (no connection, 5xx, signed out) leaves it waiting, and it is sent again
// with the same id when the connection returns, so the server stores it once. Evidence
// files wait in the same record and are uploaded after the report is confirmed.
// Without JavaScript the form is a plain POST that the server handles the same way.

const configElement = document.getElementById("offline-config");
const config = configElement ? JSON.parse(configElement.textContent) : null;
const DB_NAME = "baikoo-offline";
const STORE = "reports";
const KEEP_SENT_MS = 24 * 60 * 60 * 1000;
const RETRY_MS = 30 * 1000;

document.documentElement.classList.add("js");

// --- IndexedDB ---------------------------------------------------------------------------

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, action) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = action(transaction.objectStore(STORE));
    transaction.oncomplete = () => {
      db.close();
      resolve(request ? request.result : undefined);
    };
    transaction.onerror = transaction.onabort = () => {
      db.close();
      reject(transaction.error);
    };
  });
}

const save = (record) => withStore("readwrite", (store) => store.put(record));
const discard = (id) => withStore("readwrite", (store) => store.delete(id));
const loadAll = () => withStore("readonly", (store) => store.getAll());

async function myRecords() {
  const records = await loadAll();
  return records
    .filter((record) => record.user === config.user)
    .sort((a, b) => a.createdAt - b.createdAt);
}

// --- talking to the server ---------------------------------------------------------------

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function detailUrl(id) {
  return config.detail.replace("00000000-0000-0000-0000-000000000000", id);
}

async function post(url, body, json) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  if (json) headers["Content-Type"] = "application/json";
  try {
    return await fetch(url, { method: "POST", credentials: "same-origin", headers, body });
  } catch {
    return null; // no connection
  }
}

// Returns "done", "offline" (try again later) or "stop" (do not try again).
async function sendReport(record) {
  const { occurred_local: _shown, ...payload } = record.payload;
  const response = await post(config.api, JSON.stringify(payload), true);
  if (response === null || response.status >= 500 || response.status === 404) {
    record.note = "";
    return "offline";
  }
  if (response.status === 401 || response.status === 403) {
    record.note = "sign_in";
    await save(record);
    return "offline";
  }
  if (response.status === 200 || response.status === 201) {
    const body = await response.json();
    record.ref = body.ref;
    record.note = "";
    record.state = record.files.length ? "uploading" : "sent";
    record.sentAt = Date.now();
    await save(record);
    return "done";
  }
  record.state = response.status === 409 ? "conflict" : "rejected";
  record.errors = await response.json().catch(() => ({}));
  await save(record);
  return "stop";
}

async function uploadFiles(record) {
  const url = `${config.api}${record.id}/evidence/`;
  while (record.files.length) {
    const file = record.files[0];
    const body = new FormData();
    body.append("file", file.blob, file.name);
    const response = await post(url, body, false);
    if (response === null || response.status >= 500) return "offline";
    if (response.status === 401 || response.status === 403) {
      record.note = "sign_in";
      await save(record);
      return "offline";
    }
    if (!response.ok) {
      const errors = await response.json().catch(() => ({}));
      record.fileErrors.push(`${file.name}: ${flatten(errors).join(" ")}`);
    }
    record.files.shift();
    await save(record);
  }
  record.state = "sent";
  record.note = "";
  await save(record);
  return "done";
}

let syncing = false;

async function syncAll() {
  if (!config || syncing) return;
  syncing = true;
  try {
    for (const record of await myRecords()) {
      if (record.state === "sent" && Date.now() - record.sentAt > KEEP_SENT_MS) {
        await discard(record.id);
        continue;
      }
      const wasWaiting = record.state === "waiting";
      if (record.state === "waiting" && (await sendReport(record)) === "offline") break;
      if (wasWaiting && record.state !== "waiting") {
        // Said beside the Send button, where the person is (aria-live; focus stays put).
        const strings = config.strings;
        const sent = record.state === "sent" || record.state === "uploading";
        showStatus(sent ? `${strings.sent} ✓ ${record.ref || ""}` : strings.needs_fixing, [], false);
      }
      if (record.state === "uploading" && (await uploadFiles(record)) === "offline") break;
    }
  } catch (error) {
    console.warn("offline queue:", error);
  } finally {
    syncing = false;
    await render();
  }
}

// --- showing the queue -------------------------------------------------------------------

function flatten(errors, prefix = "") {
  if (Array.isArray(errors)) return errors.map((e) => (prefix ? `${prefix}: ${e}` : String(e)));
  if (errors && typeof errors === "object") {
    return Object.entries(errors).flatMap(([key, value]) =>
      flatten(value, key === "non_field_errors" || key === "detail" ? prefix : labelFor(key)),
    );
  }
  return errors ? [String(errors)] : [];
}

function labelFor(name) {
  const field = document.getElementById(`field-${name}`);
  const label = field && field.querySelector("label, legend");
  return label ? label.firstChild.textContent.trim() : name;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

async function render() {
  if (!config) return;
  const strings = config.strings;
  const records = await myRecords().catch(() => []);
  const pending = records.filter((r) => r.state === "waiting" || r.state === "uploading");
  for (const node of document.querySelectorAll("[data-queue-count]")) {
    node.textContent = String(pending.length);
  }
  for (const node of document.querySelectorAll("[data-queue-inline]")) {
    node.hidden = pending.length === 0;
  }
  const section = document.getElementById("offline-queue");
  const list = section && section.querySelector("[data-queue-list]");
  if (!list) return;
  section.hidden = records.length === 0;
  list.replaceChildren();
  for (const record of records) {
    const item = element("li");
    const p = record.payload;
    item.append(element("span", `${config.kinds[p.kind] || p.kind} · ${p.location} · ${(p.occurred_local || p.occurred_at).replace("T", " ")}`));
    let state = strings.waiting;
    if (record.state === "waiting" && record.note === "sign_in") state = strings.sign_in;
    if (record.state === "uploading") state = `${strings.files_waiting} (${record.files.length})`;
    if (record.state === "sent") state = `${strings.sent} ✓ ${record.ref || ""}`;
    if (record.state === "rejected") state = strings.needs_fixing;
    if (record.state === "conflict") state = strings.conflict;
    item.append(element("span", state, `state state-${record.state}`));
    if (record.ref) {
      const link = element("a", strings.open);
      link.href = detailUrl(record.id);
      item.append(link);
    }
    const problems = [
      ...(record.state === "rejected" ? flatten(record.errors) : []),
      ...(record.fileErrors || []).map((e) => `${strings.evidence_failed} ${e}`),
    ];
    if (problems.length) {
      const ul = element("ul");
      problems.forEach((problem) => ul.append(element("li", problem)));
      item.append(ul);
    }
    if (record.state !== "sent" && record.state !== "uploading") {
      const button = element("button", strings.discard);
      button.type = "button";
      button.addEventListener("click", async () => {
        if (record.state === "waiting" && !window.confirm(strings.confirm_discard)) return;
        await discard(record.id);
        await render();
      });
      item.append(button);
    }
    list.append(item);
  }
}

// --- the form ----------------------------------------------------------------------------

function localNow() {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

// The typed time is the phone's wall-clock time: send it as an instant (UTC), so a phone
// on Tokyo time or behind Bishkek stores what it means (docs/incidents.md, "Time zones").
function withOffset(value) {
  if (!value) return value;
  const instant = new Date(value); // "YYYY-MM-DDTHH:MM" is read in the phone's zone
  return Number.isNaN(instant.getTime()) ? value : instant.toISOString();
}

function phoneZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

function fieldValue(form, name) {
  const field = form.elements[name];
  if (!field) return "";
  return (field.value || "").trim();
}

function numberOrNull(value) {
  return value === "" ? null : Number(value);
}

function buildPayload(form, id, fileCount) {
  const details = {};
  for (const input of form.querySelectorAll("[data-detail]")) {
    const value = fieldValue(form, input.name);
    details[input.name] = input.dataset.detail === "count" ? numberOrNull(value) : value;
  }
  return {
    id,
    kind: form.dataset.kind,
    district: numberOrNull(fieldValue(form, "district")),
    occurred_at: withOffset(fieldValue(form, "occurred_at")),
    occurred_local: fieldValue(form, "occurred_at"),
    location: fieldValue(form, "location"),
    pec: numberOrNull(fieldValue(form, "pec")),
    party: numberOrNull(fieldValue(form, "party")),
    description: fieldValue(form, "description"),
    source: fieldValue(form, "source"),
    witnesses: fieldValue(form, "witnesses"),
    latitude: fieldValue(form, "latitude") || null,
    longitude: fieldValue(form, "longitude") || null,
    details,
    evidence_expected: fileCount,
  };
}

function showStatus(message, problems = [], focus = true) {
  const box = document.getElementById("offline-status");
  if (!box) return;
  box.replaceChildren(element("p", message));
  if (problems.length) {
    const ul = element("ul");
    problems.forEach((problem) => ul.append(element("li", problem)));
    box.append(ul);
  }
  box.hidden = false;
  box.setAttribute("tabindex", "-1");
  if (focus) box.focus();
}

function replaceOptions(select, items) {
  if (!select) return;
  const keep = select.options[0] && select.options[0].value === "" ? select.options[0] : null;
  const chosen = select.value;
  select.replaceChildren(...(keep ? [keep] : []));
  for (const item of items) {
    const option = element("option", item.name);
    option.value = String(item.id);
    select.append(option);
  }
  select.value = items.some((item) => String(item.id) === chosen) ? chosen : "";
}

async function loadReference() {
  try {
    const response = await fetch(config.reference, { credentials: "same-origin" });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The form's id lives in its address (?draft=<id>), as the server gives it: Back, reload,
// a restored tab or a page served offline from the cache all keep the id the person was
// filling in, so sending twice files one incident (docs/incidents.md, "Filed once").
function useDraft(form, id) {
  form.elements.id.value = id;
  const url = new URL(window.location.href);
  if (url.searchParams.get("draft") !== id) {
    url.searchParams.set("draft", id);
    window.history.replaceState(window.history.state, "", url);
  }
}

function startNew(form) {
  form.reset();
  useDraft(form, newId());
  if (form.elements.occurred_at) form.elements.occurred_at.value = localNow();
  if (form.elements.tz) form.elements.tz.value = phoneZone();
}

// A form whose id was already sent (or is waiting on this phone) is not sendable again:
// it shows that state and a way to start a new report.
async function showIfAlreadySent(form) {
  const id = form.elements.id.value;
  const record = (await myRecords().catch(() => [])).find((r) => r.id === id);
  const done = document.querySelector("[data-form-done]");
  if (!record || record.state === "rejected" || !done) {
    form.hidden = false;
    if (done) done.hidden = true;
    return;
  }
  const strings = config.strings;
  const text =
    record.state === "sent" || record.state === "uploading"
      ? `${strings.sent} ✓ ${record.ref || ""}`
      : record.state === "conflict"
        ? strings.conflict
        : strings.saved_offline;
  done.querySelector("[data-form-done-text]").textContent = text;
  form.hidden = true;
  done.hidden = false;
}

function setUpForm(form) {
  const strings = config.strings;
  const drafted = new URL(window.location.href).searchParams.get("draft");
  if (form.dataset.bound === "1") {
    useDraft(form, form.elements.id.value);
  } else {
    // Possibly a page from the offline cache: its id is the address's, else a new one.
    useDraft(form, drafted && UUID_PATTERN.test(drafted) ? drafted.toLowerCase() : newId());
    if (form.elements.occurred_at && !form.elements.occurred_at.dataset.touched) {
      form.elements.occurred_at.value = localNow();
    }
  }
  if (form.elements.tz) form.elements.tz.value = phoneZone();
  const zoneLabel = document.querySelector("[data-time-zone]");
  if (zoneLabel && phoneZone()) zoneLabel.textContent = phoneZone();
  if (form.elements.occurred_at) {
    form.elements.occurred_at.addEventListener("input", () => {
      form.elements.occurred_at.dataset.touched = "1";
    });
  }
  showIfAlreadySent(form);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) showIfAlreadySent(form); // restored from the back-forward cache
  });
  const again = document.querySelector("[data-start-new]");
  if (again) {
    again.addEventListener("click", (event) => {
      event.preventDefault();
      startNew(form);
      form.hidden = false;
      document.querySelector("[data-form-done]").hidden = true;
      document.getElementById("offline-status").hidden = true;
    });
  }
  let reference = null;
  loadReference().then((data) => {
    reference = data;
  });
  const district = form.elements.district;
  if (district) {
    district.addEventListener("change", () => {
      const chosen = reference && reference.districts.find((d) => String(d.id) === district.value);
      if (!chosen) return;
      replaceOptions(form.elements.party, chosen.parties);
      replaceOptions(form.elements.pec, chosen.pecs);
    });
  }
  const locate = form.querySelector("[data-locate]");
  if (locate) {
    locate.addEventListener("click", () => {
      if (!navigator.geolocation) return showStatus(strings.location_unavailable);
      navigator.geolocation.getCurrentPosition(
        (position) => {
          form.elements.latitude.value = position.coords.latitude.toFixed(6);
          form.elements.longitude.value = position.coords.longitude.toFixed(6);
        },
        () => showStatus(strings.location_unavailable),
        { enableHighAccuracy: true, timeout: 15000 },
      );
    });
  }
  const sendButton = form.querySelector("button.send");

  form.addEventListener("submit", async (event) => {
    if (event.submitter && event.submitter.name === "refresh") return;
    event.preventDefault();
    if (!form.reportValidity()) return;
    const files = [...((form.elements.evidence && form.elements.evidence.files) || [])];
    if (files.length > config.max_files) return showStatus(strings.too_many_files);
    const tooLarge = files.filter((file) => file.size > config.max_bytes);
    if (tooLarge.length) return showStatus(strings.too_large, tooLarge.map((f) => f.name));
    const id = form.elements.id.value;
    const record = {
      id,
      user: config.user,
      payload: buildPayload(form, id, files.length),
      files: files.map((file) => ({ name: file.name, type: file.type, blob: file })),
      fileErrors: [],
      state: "waiting",
      note: "",
      createdAt: Date.now(),
    };
    if (sendButton) sendButton.disabled = true;
    try {
      await save(record);
    } catch {
      // No IndexedDB (e.g. a private window): fall back to the plain form post.
      form.submit();
      return;
    }
    await render();
    showStatus(strings.sending);
    syncing = true; // this record is being sent here; keep the background sync away
    let outcome;
    try {
      outcome = await sendReport(record);
      if (record.state === "uploading") outcome = await uploadFiles(record);
    } finally {
      syncing = false;
    }
    if (sendButton) sendButton.disabled = false;
    if (record.state === "sent" && !record.fileErrors.length) {
      window.location.assign(`${detailUrl(record.id)}?sent=1`);
      return;
    }
    if (record.state === "rejected") {
      // Nothing was stored: the observer corrects the form and sends it again (same id).
      await discard(record.id);
      showStatus(strings.needs_fixing, flatten(record.errors));
    } else if (record.state === "conflict") {
      showStatus(strings.conflict);
    } else if (outcome === "offline") {
      showStatus(record.note === "sign_in" ? strings.sign_in : strings.saved_offline);
      startNew(form);
    } else {
      showStatus(`${strings.sent} ✓ ${record.ref}`, record.fileErrors);
    }
    await render();
  });
}

// --- start -------------------------------------------------------------------------------

if (config) {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.worker, { scope: "/" }).catch((error) => {
      console.warn("service worker:", error);
    });
  }
  const form = document.querySelector("[data-offline-form]");
  if (form && "indexedDB" in window) setUpForm(form);
  window.addEventListener("online", syncAll);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncAll();
  });
  setInterval(syncAll, RETRY_MS);
  syncAll();
}
