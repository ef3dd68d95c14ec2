// The check-in app: pick the entrance, scan a ticket or find a name, check the ID, admit;
// online through the check-in API, offline from what the device keeps (store.js).
//
// Every scan gets its nonce when it is made and keeps it: sent at once, or later from the
// queue, the server answers the same nonce twice with one verdict, so a retried upload never
// admits twice. When the API is out of reach (no network, an error, or no answer within
// REQUEST_TIMEOUT_MS) the device decides alone, with the same rules as the server:
// verify.js's signature check, then the cancelled list, the admitted list and this device's
// queue, then the opening time. The queue is uploaded in order, one scan at a time, each
// removed only once the server answered it; answers that differ from the device's verdict go
// to the sync report.
//
// No text here: every word comes from the page (#checkin-strings), in the agent's language,
// and user data is only ever set as text, never as HTML.

import * as codes from "./codes.js";
import { createScanner } from "./decode.js";
import { forgetShell, keepShell } from "./shell.js";
import * as store from "./store.js";
import { verifyTicket } from "./verify.js";

const config = JSON.parse(document.getElementById("checkin-config").textContent);
const strings = JSON.parse(document.getElementById("checkin-strings").textContent);
const language = document.documentElement.lang || config.language;

const REQUEST_TIMEOUT_MS = 3000;
const REFRESH_EVERY_MS = 15000;
const SYNC_EVERY_MS = 10000;
const SEARCH_LIMIT = 20;
// The most a QR code holds: longer was not read from a ticket (the API refuses it).
const TICKET_MAX = 7089;
const ENTRANCE_KEY = `ptce-checkin:entrance:${config.edition}`;
const SCREENS = [
  "screen-loading",
  "screen-message",
  "screen-entrance",
  "screen-main",
  "screen-confirm",
  "screen-logout",
  "verdict",
];

const $ = (id) => document.getElementById(id);
const times = new Intl.DateTimeFormat(language, { timeStyle: "short", timeZone: config.timeZone });
const moments = new Intl.DateTimeFormat(language, {
  dateStyle: "long",
  timeStyle: "short",
  timeZone: config.timeZone,
});
// French writes "9 h 30" (no-break spaces), as the server's pages do; Intl writes "09:30".
const french = language.split("-")[0] === "fr";
const days = new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: config.timeZone });
const clock = new Intl.DateTimeFormat(language, {
  hour: "numeric",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: config.timeZone,
});
const plurals = new Intl.PluralRules(language);

const state = {
  meta: null,
  attendees: [],
  byId: new Map(),
  byPublicId: new Map(),
  revoked: new Set(),
  admitted: new Set(),
  index: [],
  pending: [],
  entrance: null,
  online: navigator.onLine,
  current: null,
  camera: null,
  cameraWanted: false,
  busy: false,
  syncing: null,
  gone: false,
  timers: [],
};

// Words ---------------------------------------------------------------------------------------

function format(template, values = {}) {
  return template.replace(/%\((\w+)\)s/g, (match, key) => String(values[key] ?? ""));
}

function plural(forms, count) {
  return format(forms[plurals.select(count)] ?? forms.other, { count });
}

function timeOf(moment) {
  if (!french) return times.format(new Date(moment));
  const parts = clock.formatToParts(new Date(moment));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${Number(part("hour"))}\u00a0h\u00a0${part("minute")}`;
}

function momentOf(moment) {
  if (!french) return moments.format(new Date(moment));
  return `${days.format(new Date(moment))} à ${timeOf(moment)}`;
}

function nameOf(person) {
  return person
    ? format(strings.person_name, { first: person.first_name, last: person.last_name })
    : strings.unknown_person;
}

function organisationOf(person) {
  return person.organisation || strings.no_organisation;
}

function entranceName(slug) {
  return state.meta?.entrances.find((entrance) => entrance.slug === slug)?.name ?? slug;
}

// The workshop whose door the entrance ``slug`` is, or null for an entrance to the day.
function workshopOf(slug) {
  return state.meta?.workshops?.find((workshop) => workshop.doors.includes(slug)) ?? null;
}

function currentWorkshop() {
  return workshopOf(state.entrance);
}

function workshopAdmitted(workshop) {
  return state.meta.door_admitted?.[workshop.id] ?? [];
}

// Admitted at the door chosen: to the day, or to the workshop of a workshop's door.
function isAdmitted(publicId) {
  const workshop = currentWorkshop();
  return workshop ? workshopAdmitted(workshop).includes(publicId) : state.admitted.has(publicId);
}

// Where meta.local keeps this device's admission of a person, at the day's or a workshop's door.
function localKey(publicId, workshop) {
  return workshop ? `workshop-${workshop.id}:${publicId}` : publicId;
}

// The device's time, as ISO 8601 with its offset (offline scans' scanned_at).
function deviceNow() {
  const now = new Date();
  const pad = (number, width = 2) => String(number).padStart(width, "0");
  const offset = -now.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}` +
    `T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}` +
    `.${pad(now.getMilliseconds(), 3)}${sign}${pad(Math.floor(Math.abs(offset) / 60))}` +
    `:${pad(Math.abs(offset) % 60)}`
  );
}

// The server's time as the device best knows it: its clock decides opening and closing.
function serverNow() {
  return Date.now() + (state.meta?.clockOffset ?? 0);
}

// Screens -------------------------------------------------------------------------------------

function show(id, focus) {
  for (const screen of SCREENS) {
    $(screen).hidden = screen !== id;
  }
  if (id !== "verdict") {
    $("verdict").removeAttribute("data-result");
  }
  (focus ?? $(id).querySelector("h2"))?.focus();
}

function showMessage(text, { login = false } = {}) {
  stopCamera();
  $("message-text").textContent = text;
  $("message-login").hidden = !login;
  $("sync-status").hidden = true;
  show("screen-message");
}

function showMain() {
  $("current-entrance").textContent = entranceName(state.entrance);
  const workshop = currentWorkshop();
  $("workshop-line").hidden = workshop === null;
  $("current-workshop").textContent = workshop?.title ?? "";
  show("screen-main", state.cameraWanted ? $("scan-stop") : $("ticket-code"));
  if (state.cameraWanted && state.camera === null) {
    startCamera();
  }
}

function showEntrances() {
  const choices = $("entrance-choices");
  choices.replaceChildren();
  const entrances = state.meta.entrances;
  for (const [index, entrance] of entrances.entries()) {
    const choice = document.createElement("div");
    choice.className = "choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "entrance";
    input.value = entrance.slug;
    input.id = `entrance-${index}`;
    input.checked = entrance.slug === state.entrance || (index === 0 && !state.entrance);
    const label = document.createElement("label");
    label.htmlFor = input.id;
    const workshop = workshopOf(entrance.slug);
    label.textContent = workshop
      ? `${entrance.name} — ${format(strings.workshop_door, { title: workshop.title })}`
      : entrance.name;
    choice.append(input, label);
    choices.append(choice);
  }
  $("entrance-none").hidden = entrances.length > 0;
  $("entrance-none").textContent = strings.no_entrance;
  $("entrance-start").hidden = entrances.length === 0;
  show("screen-entrance");
}

function chooseEntrance(slug) {
  state.entrance = slug;
  localStorage.setItem(ENTRANCE_KEY, slug);
  // The counters are the door's: the day's, or a workshop's.
  renderCounts();
  showMain();
}

function renderCounts() {
  const counts = state.meta?.counts;
  if (!counts) {
    return;
  }
  // Offline: the last counters known, plus this device's admissions not uploaded yet.
  const queued = state.pending.filter((scan) => scan.local === "admitted");
  // At a workshop's door, the counters are the workshop's: its seats, its admissions (which
  // hold this device's, synced or not).
  const workshop = currentWorkshop();
  const here = (scan) => workshopOf(scan.body.entrance)?.id === workshop?.id;
  const waiting = queued.filter(here);
  const admitted = workshop
    ? workshopAdmitted(workshop).length
    : counts.admitted + waiting.length;
  $("count-expected").textContent = workshop ? workshop.seats.length : counts.expected;
  $("count-admitted").textContent = admitted;
  // "3 admitted, 2 of them waiting to sync": what this device did counts at once.
  // Only while some wait: else the tile says it all.
  $("count-summary").hidden = waiting.length === 0;
  $("count-summary").textContent =
    waiting.length > 0
      ? format(strings.count_pending[plurals.select(admitted)] ?? strings.count_pending.other, {
          count: admitted,
          pending: waiting.length,
        })
      : "";
  const list = $("count-entrances");
  list.replaceChildren();
  for (const entrance of counts.entrances) {
    const row = document.createElement("div");
    const term = document.createElement("dt");
    term.textContent = entrance.name;
    const value = document.createElement("dd");
    value.textContent =
      entrance.admitted + queued.filter((scan) => scan.body.entrance === entrance.slug).length;
    row.append(term, value);
    list.append(row);
  }
}

function renderSync() {
  if (state.meta === null || state.gone) {
    return;
  }
  const waiting = state.pending.filter((scan) => scan.local === "admitted").length;
  const status = $("sync-status");
  let text;
  if (!state.online) {
    status.dataset.state = "offline";
    text = plural(strings.sync.offline, waiting);
  } else if (state.pending.length > 0) {
    status.dataset.state = "waiting";
    text = plural(strings.sync.online, waiting);
  } else {
    status.dataset.state = "synced";
    text = strings.sync.synced;
  }
  status.dataset.waiting = waiting;
  $("sync-text").textContent = text;
  status.hidden = false;
}

async function renderReport() {
  const entries = await store.reports(config.edition);
  const list = $("report-items");
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement("li");
      item.textContent = entry.text;
      return item;
    }),
  );
  $("sync-report").hidden = entries.length === 0;
}

// Kept data -----------------------------------------------------------------------------------

function normalise(text) {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .replace(/ß/g, "ss")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function apply({ meta, attendees }) {
  state.meta = meta;
  $("rehearsal-banner").hidden = !meta.rehearsal;
  state.revoked = new Set(meta.revoked);
  state.admitted = new Set(meta.admitted);
  if (attendees !== state.attendees) {
    state.attendees = attendees;
    state.byId = new Map(attendees.map((person) => [person.id, person]));
    state.byPublicId = new Map(attendees.map((person) => [person.public_id, person]));
    state.index = attendees
      .map((person) => ({
        person,
        text: normalise(`${person.first_name} ${person.last_name}`),
        sort: normalise(`${person.last_name} ${person.first_name}`),
      }))
      .sort((a, b) => a.sort.localeCompare(b.sort, language));
  }
  renderCounts();
  renderSync();
}

function save({ people = false } = {}) {
  if (state.gone || state.meta === null) {
    return Promise.resolve();
  }
  return store.save(config.edition, state.meta, people ? state.attendees : null);
}

function noteAdmission(publicId, at, entrance) {
  if (!publicId || state.meta === null) {
    return;
  }
  const workshop = workshopOf(entrance);
  if (workshop) {
    state.meta.door_admitted ??= {};
    const admitted = (state.meta.door_admitted[workshop.id] ??= []);
    if (!admitted.includes(publicId)) {
      admitted.push(publicId);
    }
    if (at !== null) {
      state.meta.local[localKey(publicId, workshop)] ??= { at, entrance: entranceName(entrance) };
    }
    save();
    return;
  }
  state.admitted.add(publicId);
  if (!state.meta.admitted.includes(publicId)) {
    state.meta.admitted.push(publicId);
  }
  if (at !== null) {
    state.meta.local[publicId] ??= { at, entrance: entranceName(entrance) };
  }
  save();
}

// Network -------------------------------------------------------------------------------------

class Unreachable extends Error {}

function csrfToken() {
  const prefix = `${config.csrfCookie}=`;
  const cookie = document.cookie.split("; ").find((item) => item.startsWith(prefix));
  return cookie ? decodeURIComponent(cookie.slice(prefix.length)) : "";
}

// fetch() with a deadline; throws Unreachable for no network, no answer in time, or a server
// in trouble (5xx, 429): all of them mean "decide here and send it later".
async function request(url, { body } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  const headers = { Accept: "application/json", "Accept-Language": language };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = csrfToken();
  }
  let response;
  try {
    response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      body: body === undefined ? undefined : JSON.stringify(body),
      headers,
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
  } catch {
    throw new Unreachable();
  } finally {
    clearTimeout(timer);
  }
  if (response.status >= 500 || response.status === 429) {
    throw new Unreachable();
  }
  return response;
}

function setOnline(online) {
  // A response to a request sent before the network was cut can arrive after the browser's
  // "offline" event: it does not make the device online again while the browser says it is
  // offline (the "online" event comes when the network is back).
  online = online && navigator.onLine !== false;
  if (state.online !== online) {
    state.online = online;
    renderSync();
  }
}

/** Download what changed since the last download, and merge it; false once denied. */
async function download() {
  const since = state.meta?.generated_at;
  const url = since ? `${config.dataUrl}?since=${encodeURIComponent(since)}` : config.dataUrl;
  let response;
  try {
    response = await request(url);
  } catch (error) {
    setOnline(false);
    throw error;
  }
  if (response.status === 401 || response.status === 403) {
    await denied();
    return false;
  }
  if (!response.ok) {
    setOnline(false);
    throw new Unreachable();
  }
  const data = await response.json();
  if (state.gone) {
    return false;
  }
  if (state.meta !== null && (state.meta.session ?? "day") !== data.session) {
    return changeSession();
  }
  const previous = state.meta ? { meta: state.meta, attendees: state.attendees } : null;
  const merged = store.merge(previous, data);
  merged.meta.clockOffset = Date.parse(data.generated_at) - Date.now();
  const people = previous === null || data.attendees.length > 0 || data.revoked.length > 0;
  if (!people) {
    merged.attendees = state.attendees;
  }
  setOnline(true);
  apply(merged);
  await save({ people });
  if (!$("screen-main").hidden && $("name-search").value) {
    renderSearch();
  }
  await closeIfOver();
  return !state.gone;
}

// A rehearsal opened, closed, or ended by the day's start: nothing of one session carries
// over to the other. From a rehearsal the device forgets it all (its scans are refused now);
// into one, it downloads the whole list again.
async function changeSession() {
  if (state.meta.rehearsal) {
    await forget();
    showMessage(strings.rehearsal_over);
    return false;
  }
  state.meta = null;
  state.attendees = [];
  return download();
}

// Refresh quietly: the timers, after a scan, when the page is shown again.
async function refresh() {
  if (state.gone || state.meta === null || !navigator.onLine) {
    return;
  }
  try {
    await download();
  } catch {
    return;
  }
  if (state.pending.length > 0) {
    sync();
  }
}

// A POST refused with 401/403 may be a stale CSRF cookie rather than the agent's right: the
// download (a GET, no CSRF) tells which.
async function deniedForSure() {
  try {
    const response = await request(config.dataUrl + "?since=" + encodeURIComponent(deviceNow()));
    if (response.status === 401 || response.status === 403) {
      await denied();
      return true;
    }
  } catch {
    // Out of reach: nothing is decided now.
  }
  return false;
}

// The people go at once; scans not synced stay (names and tickets of people already admitted)
// until a session that may check in sends them: no admission is lost with a session.
async function denied() {
  const waiting = state.pending.length;
  await forget({ keepScans: true });
  const kept = waiting > 0 ? " " + plural(strings.denied_pending, waiting) : "";
  showMessage(strings.denied + kept, { login: true });
}

// Delete what the device keeps of this edition (its data, report, entrance, and its queue
// unless ``keepScans``).
async function forget({ keepScans = false } = {}) {
  state.gone = true;
  for (const timer of state.timers) {
    clearInterval(timer);
  }
  stopCamera();
  localStorage.removeItem(ENTRANCE_KEY);
  await store.wipeEdition(config.edition, { keepScans });
}

// After the day the device deletes the edition's data, but not before its last scans are
// synced: until then the app goes on (the sync timer keeps trying).
async function closeIfOver() {
  if (state.meta === null || serverNow() < Date.parse(state.meta.closes_at)) {
    return false;
  }
  if (state.pending.length > 0 && state.online) {
    await sync();
  }
  if (state.pending.length > 0) {
    return false;
  }
  const rehearsal = state.meta.rehearsal;
  await forget();
  showMessage(rehearsal ? strings.rehearsal_over : strings.closed);
  return true;
}

// Scans ---------------------------------------------------------------------------------------

/** A code typed or read by the camera. */
async function checkCode(text) {
  // A binary code may hold NUL or half of a character pair, which the server refuses as
  // unstorable: as U+FFFD it is still recorded, as the invalid ticket it is.
  const ticket = text.trim().slice(0, TICKET_MAX).replace(/[\0\p{Cs}]/gu, "\uFFFD");
  if (!ticket || state.busy || state.meta === null) {
    return;
  }
  state.busy = true;
  try {
    const scan = { nonce: crypto.randomUUID(), scannedAt: deviceNow(), ticket };
    const check = await verifyTicket(ticket, state.meta.public_key, state.meta.edition_id);
    if (check.code === "invalid") {
      await send(scan, { local: "invalid_ticket", idChecked: false });
    } else if (check.code === "wrong_edition") {
      await send(scan, { local: "wrong_edition", idChecked: false });
    } else {
      scan.publicId = check.publicId;
      scan.person = state.byPublicId.get(check.publicId) ?? null;
      await triage(scan);
    }
  } finally {
    state.busy = false;
  }
}

/** What the agent typed: a short code (K7Q2-9XMA-3F), or a QR code's text. */
async function checkTyped(text) {
  showCodeError(null);
  if (!codes.looksShort(text)) {
    return checkCode(text);
  }
  if (!text.trim() || state.busy || state.meta === null) {
    return undefined;
  }
  const typed = codes.normalise(text);
  if (typed.error) {
    showCodeError(format(strings.code[typed.error], typed.values));
    return undefined;
  }
  state.busy = true;
  try {
    const found = await findCode(typed.code);
    if (found === null) {
      return undefined;
    }
    if (found.revoked) {
      showVerdict("revoked", { detail: detailOf("revoked") });
      return undefined;
    }
    if (found.people.length === 1) {
      return await triage(scanOf(found.people[0]));
    }
    showCodeChoices(found.people);
  } finally {
    state.busy = false;
  }
  return undefined;
}

// The people a normalised code names: the server's answer, or this device's tags when the
// server is out of reach. Null when it names nobody (the reason is on screen).
async function findCode(code) {
  if (state.online && navigator.onLine) {
    try {
      const response = await request(config.codeUrl, { body: { code } });
      if (response.ok) {
        const answer = await response.json();
        setOnline(true);
        if (answer.result !== "valid") {
          return { revoked: true };
        }
        const known = state.byPublicId.get(answer.attendee.public_id);
        return { people: [known ?? answer.attendee] };
      }
      if ((response.status === 401 || response.status === 403) && (await deniedForSure())) {
        return null;
      }
      if (response.status === 404 || response.status === 422) {
        const answer = await response.json();
        showCodeError(response.status === 404 ? strings.code.unknown : answer.errors[0].msg);
        return null;
      }
    } catch (error) {
      if (!(error instanceof Unreachable)) {
        throw error;
      }
      setOnline(false);
    }
  }
  const tag = await codes.tagOf(code, state.meta.code_key);
  const people = state.attendees.filter((person) => person.code_tag === tag);
  if (people.length === 0) {
    showCodeError(strings.code.unknown_offline);
    return null;
  }
  return { people };
}

function scanOf(person) {
  return {
    nonce: crypto.randomUUID(),
    scannedAt: deviceNow(),
    registration: person.id,
    publicId: person.public_id,
    person,
  };
}

function showCodeError(text) {
  const field = $("ticket-code");
  $("ticket-code-error").textContent = text ?? "";
  $("ticket-code-error").hidden = text === null;
  if (text === null) {
    field.removeAttribute("aria-invalid");
  } else {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

// Offline, a code whose tag several people share: the agent picks the one whose ID they hold.
function showCodeChoices(people) {
  $("name-search").value = "";
  renderResults(people);
  $("search-count").textContent = strings.code.several;
  $("search-results").querySelector("button")?.focus();
}

/** A person chosen in the name search. */
async function checkPerson(person) {
  if (state.busy) {
    return;
  }
  state.busy = true;
  try {
    await triage(scanOf(person));
  } finally {
    state.busy = false;
  }
}

// The checks that need no ID, then the confirmation screen.
async function triage(scan, { refreshed = false } = {}) {
  const workshop = currentWorkshop();
  if (state.revoked.has(scan.publicId)) {
    return send(scan, { local: "revoked", idChecked: false });
  }
  if (workshop === null && state.admitted.has(scan.publicId)) {
    // Sent as checked: the first admission's ID check stands, and an unchecked scan would be
    // recorded as a mismatch instead of the duplicate it is.
    return send(scan, { local: "already_admitted", idChecked: true });
  }
  if (serverNow() < Date.parse(state.meta.opens_at)) {
    return send(scan, { local: "not_open", idChecked: false });
  }
  if (scan.person === null && !refreshed && state.online && navigator.onLine) {
    // Registered after the last download? The server's list tells.
    try {
      if (!(await download())) {
        return undefined;
      }
      scan.person = state.byPublicId.get(scan.publicId) ?? null;
      if (scan.person === null && !state.revoked.has(scan.publicId)) {
        return send(scan, { local: "unknown_ticket", idChecked: false });
      }
      return triage(scan, { refreshed: true });
    } catch {
      // Out of reach: the device decides, below.
    }
  }
  if (workshop !== null) {
    return admitToWorkshop(scan, workshop);
  }
  return confirmIdentity(scan);
}

// At a workshop's door, no ID check (the entrance to the day made it): a seat in the
// workshop admits, once; as the server decides (admission/workshop_door.py).
function admitToWorkshop(scan, workshop) {
  let local = "admitted";
  if (!workshop.seats.includes(scan.publicId)) {
    local = "not_registered_here";
  } else if (workshopAdmitted(workshop).includes(scan.publicId)) {
    local = "already_admitted";
  }
  return send(scan, { local, idChecked: false });
}

function confirmIdentity(scan) {
  state.current = scan;
  const person = scan.person;
  $("confirm-unknown").hidden = person !== null;
  $("confirm-unknown").textContent = strings.not_on_device;
  $("confirm-names").textContent = nameOf(person);
  $("confirm-category").textContent = person?.category ?? "–";
  $("confirm-organisation").textContent = person ? organisationOf(person) : "–";
  $("confirm-attention").hidden = !person?.attention_note;
  $("confirm-attention-text").textContent = person?.attention_note ?? "";
  setButtons("screen-confirm", false);
  show("screen-confirm");
}

function setButtons(id, disabled) {
  for (const button of $(id).querySelectorAll("button")) {
    button.disabled = disabled;
  }
}

async function answerConfirm(admit) {
  const scan = state.current;
  if (scan === null) {
    return;
  }
  state.current = null;
  setButtons("screen-confirm", true);
  await send(scan, { local: admit ? "admitted" : "id_mismatch", idChecked: admit });
}

function bodyOf(scan, idChecked) {
  const body = { nonce: scan.nonce, entrance: state.entrance, id_checked: idChecked };
  if (state.meta.rehearsal) {
    body.rehearsal = true;
  }
  if (scan.ticket !== undefined) {
    body.ticket = scan.ticket;
  } else {
    body.registration = scan.registration;
  }
  return body;
}

/** Send the scan now, or decide here and queue it when the server is out of reach. */
async function send(scan, { local, idChecked }) {
  const body = bodyOf(scan, idChecked);
  if (state.online && navigator.onLine && state.pending.length > 0) {
    // The queue goes first: the server merges scans in the order it receives them, and a
    // person admitted offline and shown again must meet that admission, not make a new one.
    await sync();
  }
  if (state.online && navigator.onLine) {
    try {
      const response = await request(config.checkinsUrl, { body });
      if (response.ok) {
        const verdict = await response.json();
        setOnline(true);
        showServerVerdict(scan, verdict);
        refresh();
        return;
      }
      if (response.status === 422 && (await response.json()).errors?.some(isEntranceError)) {
        // The entrance was removed since it was chosen.
        state.entrance = null;
        localStorage.removeItem(ENTRANCE_KEY);
        await refresh();
        showEntrances();
        return;
      }
      if ((response.status === 401 || response.status === 403) && (await deniedForSure())) {
        return;
      }
    } catch (error) {
      if (!(error instanceof Unreachable)) {
        throw error;
      }
      setOnline(false);
    }
  }
  await enqueue(scan, body, local);
  showLocalVerdict(scan, local);
}

function isEntranceError(error) {
  return Array.isArray(error.loc) && error.loc.at(-1) === "entrance";
}

async function enqueue(scan, body, local) {
  const entry = {
    slug: config.edition,
    nonce: scan.nonce,
    body: { ...body, scanned_at: scan.scannedAt },
    local,
    publicId: scan.publicId ?? null,
    name: scan.person ? nameOf(scan.person) : null,
  };
  entry.seq = await store.queue(entry);
  state.pending.push(entry);
  if (local === "admitted") {
    noteAdmission(scan.publicId, scan.scannedAt, body.entrance);
  }
  renderCounts();
  renderSync();
}

// Verdicts ------------------------------------------------------------------------------------

function showVerdict(result, { names, detail, offline = false, badge = null }) {
  const region = $("verdict");
  $("verdict-title").textContent = strings.results[result];
  $("verdict-names").textContent = names ?? "";
  $("verdict-names").hidden = !names;
  $("verdict-detail").textContent = detail ?? "";
  $("verdict-detail").hidden = !detail;
  $("verdict-offline").textContent = strings.decided_offline;
  $("verdict-offline").hidden = !offline;
  $("verdict-badge").hidden = badge === null;
  if (badge !== null) {
    $("verdict-badge-link").href = config.badgeUrl.replace(/0\.pdf$/, `${badge}.pdf`);
  }
  show("verdict", $("verdict-next"));
  region.dataset.result = result;
}

function serverDetail(verdict) {
  const first = verdict.first_admission;
  if (verdict.result === "already_admitted" && first) {
    return format(strings.admitted_by, {
      time: timeOf(first.scanned_at),
      entrance: first.entrance.name,
      agent: first.agent,
    });
  }
  return detailOf(verdict.result);
}

function detailOf(result) {
  const detail = strings.details[result];
  const opens = state.meta ? momentOf(state.meta.opens_at) : "";
  const workshop = currentWorkshop()?.title ?? "";
  return detail ? format(detail, { moment: opens, workshop }) : "";
}

// The server's answer, in the kept data: its admissions as this device's own (time, entrance),
// another device's as admitted only.
function noteResult(verdict, { publicId, entrance }) {
  const id = verdict.attendee?.public_id ?? publicId;
  if (verdict.result === "admitted") {
    noteAdmission(id, verdict.scanned_at, entrance);
    // Counted at once; the next download brings the counters of every device.
    const counts = state.meta.counts;
    if (workshopOf(entrance) === null) {
      counts.admitted += 1;
    }
    const door = counts.entrances.find((item) => item.slug === entrance);
    if (door) {
      door.admitted += 1;
    }
    renderCounts();
  } else if (verdict.result === "already_admitted") {
    noteAdmission(id, null, entrance);
  }
}

function showServerVerdict(scan, verdict) {
  const attendee = verdict.attendee;
  noteResult(verdict, { publicId: scan.publicId, entrance: state.entrance });
  showVerdict(verdict.result, {
    names: attendee ? nameOf(attendee) : scan.person ? nameOf(scan.person) : null,
    detail: serverDetail(verdict),
    // The badge is printed at the entrance to the day, not at a workshop's.
    badge:
      verdict.result === "admitted" && attendee && currentWorkshop() === null ? attendee.id : null,
  });
}

function localDetail(scan, result) {
  if (result !== "already_admitted") {
    return detailOf(result);
  }
  const here = state.meta.local[localKey(scan.publicId, currentWorkshop())];
  if (!here) {
    return strings.admitted_before;
  }
  return format(strings.admitted_here, { time: timeOf(here.at), entrance: here.entrance });
}

function showLocalVerdict(scan, result) {
  showVerdict(result, {
    names: scan.person ? nameOf(scan.person) : scan.publicId ? strings.unknown_person : null,
    detail: localDetail(scan, result),
    offline: true,
  });
}

function next() {
  if ($("verdict").hidden) {
    return;
  }
  $("ticket-code").value = "";
  showCodeError(null);
  showMain();
}

// Sync ----------------------------------------------------------------------------------------

/** Upload the queue, oldest first, one scan at a time. */
function sync() {
  state.syncing ??= uploadQueue().finally(() => {
    state.syncing = null;
    renderSync();
  });
  return state.syncing;
}

async function uploadQueue() {
  while (state.pending.length > 0 && !state.gone && navigator.onLine) {
    const entry = state.pending[0];
    let response;
    try {
      response = await request(config.checkinsUrl, { body: entry.body });
    } catch {
      setOnline(false);
      return;
    }
    if (response.status === 401 || response.status === 403) {
      await deniedForSure();
      return;
    }
    if (response.ok) {
      const verdict = await response.json();
      setOnline(true);
      noteResult(verdict, { publicId: entry.publicId, entrance: entry.body.entrance });
      if (verdict.result !== entry.local) {
        const server = [strings.results[verdict.result], serverDetail(verdict)];
        const text = format(strings.report, {
          name: entry.name ?? nameOf(verdict.attendee),
          local: strings.results[entry.local],
          time: timeOf(entry.body.scanned_at),
          server: server.filter(Boolean).join(" — "),
        });
        await addReport(entry, text);
      }
    } else if (response.status === 422 || response.status === 400 || response.status === 404) {
      // The server will never take it (an entrance removed since): reported, not retried.
      const text = format(strings.report_rejected, {
        name: entry.name ?? strings.unknown_person,
        time: timeOf(entry.body.scanned_at),
      });
      await addReport(entry, text);
    } else {
      return;
    }
    await store.unqueue(entry.seq);
    state.pending.shift();
    renderCounts();
    renderSync();
  }
  if (!state.gone) {
    refresh();
  }
}

async function addReport(entry, text) {
  await store.report({ slug: config.edition, nonce: entry.nonce, text });
  await renderReport();
}

// Camera --------------------------------------------------------------------------------------

async function startCamera() {
  state.cameraWanted = true;
  $("camera-error").hidden = true;
  $("camera").hidden = false;
  $("scan-start").hidden = true;
  try {
    const scanner = await createScanner($("camera-video"), onCameraText);
    if (!state.cameraWanted) {
      scanner.stop();
      return;
    }
    state.camera = scanner;
  } catch (error) {
    state.cameraWanted = false;
    $("camera").hidden = true;
    $("scan-start").hidden = false;
    const messages = strings.camera_errors;
    $("camera-error").textContent = messages[error?.code] ?? messages.camera_busy;
    $("camera-error").hidden = false;
    $("ticket-code").focus();
  }
}

function stopCamera() {
  state.cameraWanted = false;
  state.camera?.stop();
  state.camera = null;
  $("camera").hidden = true;
  $("scan-start").hidden = false;
}

function onCameraText(text) {
  // Only the main screen takes codes: not while a verdict or an ID check is on screen.
  if (!$("screen-main").hidden && !state.busy) {
    guard(checkCode(text));
  }
}

// Search --------------------------------------------------------------------------------------

function renderSearch() {
  const query = normalise($("name-search").value);
  const list = $("search-results");
  const count = $("search-count");
  if (!query) {
    list.replaceChildren();
    count.textContent = "";
    return;
  }
  const words = query.split(" ");
  const found = state.index.filter((entry) => words.every((word) => entry.text.includes(word)));
  renderResults(found.slice(0, SEARCH_LIMIT).map(({ person }) => person));
  if (found.length === 0) {
    count.textContent = strings.search_none;
  } else if (found.length > SEARCH_LIMIT) {
    const more = format(strings.search_more, { count: SEARCH_LIMIT });
    count.textContent = `${plural(strings.search, found.length)} ${more}`;
  } else {
    count.textContent = plural(strings.search, found.length);
  }
}

function renderResults(people) {
  $("search-results").replaceChildren(
    ...people.map((person) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "person-result";
      button.dataset.id = person.id;
      const name = document.createElement("span");
      name.className = "person-result-name";
      name.textContent = nameOf(person);
      const more = document.createElement("span");
      more.className = "person-result-more";
      more.textContent = [organisationOf(person), person.category].join(" · ");
      button.append(name, more);
      if (isAdmitted(person.public_id)) {
        const mark = document.createElement("span");
        mark.className = "person-result-admitted";
        mark.textContent = strings.search_admitted;
        button.append(mark);
      }
      item.append(button);
      return item;
    }),
  );
}

// Logout --------------------------------------------------------------------------------------

async function logOut(anyway = false) {
  if (!anyway && state.pending.length > 0 && navigator.onLine) {
    await sync();
  }
  if (!anyway && state.pending.length > 0) {
    $("logout-text").textContent = plural(strings.logout_pending, state.pending.length);
    show("screen-logout");
    return;
  }
  state.gone = true;
  stopCamera();
  for (const timer of state.timers) {
    clearInterval(timer);
  }
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith("ptce-checkin:")) {
      localStorage.removeItem(key);
    }
  }
  await store.wipe();
  await forgetShell();
  if (!navigator.onLine) {
    showMessage(strings.logged_out_offline);
    return;
  }
  const form = $("logout-form");
  form.elements.csrfmiddlewaretoken.value = csrfToken();
  form.submit();
}

// Start ---------------------------------------------------------------------------------------

function guard(promise) {
  promise.catch((error) => {
    showMessage(strings.error);
    globalThis.reportError?.(error);
  });
}

function bind() {
  $("entrance-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const slug = $("entrance-form").querySelector("input[name=entrance]:checked")?.value;
    if (slug) {
      chooseEntrance(slug);
    }
  });
  $("change-entrance").addEventListener("click", () => {
    stopCamera();
    showEntrances();
  });
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guard(checkTyped($("ticket-code").value));
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("search-results").querySelector("button")?.focus();
  });
  $("name-search").addEventListener("input", renderSearch);
  $("search-results").addEventListener("click", (event) => {
    const button = event.target.closest("button.person-result");
    const person = button && state.byId.get(Number(button.dataset.id));
    if (person) {
      guard(checkPerson(person));
    }
  });
  $("scan-start").addEventListener("click", () => guard(startCamera()));
  $("scan-stop").addEventListener("click", () => {
    stopCamera();
    $("scan-start").focus();
  });
  $("confirm-admit").addEventListener("click", () => guard(answerConfirm(true)));
  $("confirm-refuse").addEventListener("click", () => guard(answerConfirm(false)));
  $("confirm-cancel").addEventListener("click", cancelConfirm);
  $("verdict-next").addEventListener("click", next);
  $("report-clear").addEventListener("click", () =>
    guard(store.clearReports(config.edition).then(renderReport)),
  );
  $("logout-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guard(logOut());
  });
  $("logout-stay").addEventListener("click", showMain);
  $("logout-anyway").addEventListener("click", () => guard(logOut(true)));
  document.addEventListener("keydown", onKey);
  window.addEventListener("online", () => {
    setOnline(true);
    if (state.meta === null && !state.gone) {
      guard(boot());
    } else {
      guard(sync());
    }
  });
  window.addEventListener("offline", () => setOnline(false));
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      guard(refresh());
    }
  });
}

function cancelConfirm() {
  state.current = null;
  $("ticket-code").value = "";
  showMain();
}

function onKey(event) {
  if (event.key === "Escape") {
    if (!$("verdict").hidden) {
      next();
    } else if (!$("screen-confirm").hidden) {
      cancelConfirm();
    } else if (!$("screen-logout").hidden) {
      showMain();
    }
  } else if (event.key === "Enter" && !$("verdict").hidden && !event.target.closest("a, button")) {
    event.preventDefault();
    next();
  }
}

async function boot() {
  try {
    const kept = await store.load(config.edition);
    if (kept !== null) {
      apply(kept);
    }
    state.pending = await store.queued(config.edition);
  } catch {
    // No IndexedDB (a private window may refuse it): online only.
  }
  if (navigator.onLine) {
    try {
      await download();
    } catch {
      // Out of reach: what the device keeps, if anything.
    }
  }
  if (state.gone) {
    return;
  }
  if (state.meta === null) {
    showMessage(strings.no_data);
    $("sync-status").hidden = true;
    return;
  }
  if (await closeIfOver()) {
    return;
  }
  renderSync();
  await renderReport();
  const remembered = localStorage.getItem(ENTRANCE_KEY);
  const entrances = state.meta.entrances;
  if (entrances.some((entrance) => entrance.slug === remembered)) {
    chooseEntrance(remembered);
  } else if (entrances.length === 1) {
    chooseEntrance(entrances[0].slug);
  } else {
    showEntrances();
  }
  state.timers.push(
    setInterval(() => guard(refresh()), REFRESH_EVERY_MS),
    setInterval(() => {
      if (state.pending.length > 0) {
        guard(sync());
      }
    }, SYNC_EVERY_MS),
  );
  if (state.pending.length > 0 && state.online) {
    guard(sync());
  }
}

bind();
// data-shell="kept" once the page and its assets are in the cache: from then on, the app
// reloads without network (the browser tests wait for it before cutting the network).
keepShell(config).then(() => {
  document.body.dataset.shell = "kept";
});
guard(boot());
