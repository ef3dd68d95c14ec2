// What a door device keeps in IndexedDB to work without network, one database for the app.
//
// - "editions": per edition (key: slug), the last check-in download merged with the later
//   ones (?since=): public key, edition number, opening and closing moments, counters,
//   entrances, the workshops with a door (who holds a seat, who was admitted: whole each
//   time), cancelled and admitted public ids, those admitted per workshop, and the
//   admissions made on this device;
// - "people": per edition (key: slug), the confirmed attendees for the name search, written
//   only when a download changed them (the list can be long; the counters change often);
// - "scans": the queue of scans made while the server was out of reach, in the order made
//   (auto-increment key), each with the nonce it got when it was made: uploading it again
//   after a lost answer cannot admit twice;
// - "reports": the sync report, scans whose server answer differed from the device's verdict.
//
// All of it is personal data of the day: wipe() deletes the database (logout), wipeEdition()
// one edition's part (the day is over, or the server refused the agent).

const DB_NAME = "ptce-checkin";
const DB_VERSION = 1;

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("editions", { keyPath: "slug" });
      db.createObjectStore("people", { keyPath: "slug" });
      for (const name of ["scans", "reports"]) {
        const store = db.createObjectStore(name, { keyPath: "seq", autoIncrement: true });
        store.createIndex("slug", "slug");
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab deleting the database (its logout) must not wait for this one.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

async function run(stores, mode, work) {
  const db = await open();
  const transaction = db.transaction(stores, mode);
  const result = work(transaction);
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result instanceof IDBRequest ? result.result : result;
}

/** The edition's kept data: `{meta, attendees}`, or null when the device has none. */
export async function load(slug) {
  const [meta, people] = await run(["editions", "people"], "readonly", (transaction) => [
    transaction.objectStore("editions").get(slug),
    transaction.objectStore("people").get(slug),
  ]).then((requests) => requests.map((request) => request.result));
  if (!meta) {
    return null;
  }
  return { meta, attendees: people?.attendees ?? [] };
}

/** Save an edition's data; `attendees` too when given (only when a download changed them). */
export function save(slug, meta, attendees = null) {
  return run(["editions", "people"], "readwrite", (transaction) => {
    transaction.objectStore("editions").put({ ...meta, slug });
    if (attendees !== null) {
      transaction.objectStore("people").put({ slug, attendees });
    }
  });
}

/**
 * Merge a download into what the device keeps (`previous`: `{meta, attendees}` or null);
 * returns the merged `{meta, attendees}`. A download with `since` holds only what changed:
 * attendees confirmed or changed since, registrations cancelled since, admissions received
 * since; the key, entrances and counters always come whole. `meta.local` (this device's own
 * admissions, for "admitted on this device at …") is kept as it is.
 */
export function merge(previous, download) {
  const base = previous?.meta ?? { revoked: [], admitted: [], local: {} };
  const attendees = new Map((previous?.attendees ?? []).map((person) => [person.id, person]));
  const revoked = new Set(base.revoked);
  for (const publicId of download.revoked) {
    revoked.add(publicId);
  }
  for (const person of download.attendees) {
    attendees.set(person.id, person);
    // Confirmed again after a cancellation.
    revoked.delete(person.public_id);
  }
  for (const [id, person] of attendees) {
    if (revoked.has(person.public_id)) {
      attendees.delete(id);
    }
  }
  const admitted = new Set(base.admitted);
  for (const publicId of download.admitted) {
    admitted.add(publicId);
  }
  // Admissions at workshops' doors, per workshop: the server's list comes whole, and is
  // merged with what this device admitted and has not synced yet.
  const doorAdmitted = { ...(base.door_admitted ?? {}) };
  for (const workshop of download.workshops ?? []) {
    doorAdmitted[workshop.id] = [
      ...new Set([...(doorAdmitted[workshop.id] ?? []), ...workshop.admitted]),
    ];
  }
  return {
    meta: {
      edition: download.edition,
      edition_id: download.edition_id,
      generated_at: download.generated_at,
      opens_at: download.opens_at,
      closes_at: download.closes_at,
      counts: download.counts,
      public_key: download.public_key,
      code_key: download.code_key,
      rehearsal: download.rehearsal,
      session: download.session,
      entrances: download.entrances,
      workshops: download.workshops ?? [],
      revoked: [...revoked],
      admitted: [...admitted],
      door_admitted: doorAdmitted,
      local: base.local ?? {},
    },
    attendees: [...attendees.values()],
  };
}

/** Add a scan to the queue; returns its sequence number. */
export function queue(scan) {
  return run(["scans"], "readwrite", (transaction) => transaction.objectStore("scans").add(scan));
}

/** The edition's queued scans, oldest first. */
export function queued(slug) {
  return run(["scans"], "readonly", (transaction) =>
    transaction.objectStore("scans").index("slug").getAll(slug),
  ).then((scans) => scans.sort((a, b) => a.seq - b.seq));
}

/** Remove a scan from the queue: only once the server answered it. */
export function unqueue(seq) {
  return run(["scans"], "readwrite", (transaction) => transaction.objectStore("scans").delete(seq));
}

export function report(entry) {
  return run(["reports"], "readwrite", (transaction) =>
    transaction.objectStore("reports").add(entry),
  );
}

export function reports(slug) {
  return run(["reports"], "readonly", (transaction) =>
    transaction.objectStore("reports").index("slug").getAll(slug),
  ).then((entries) => entries.sort((a, b) => a.seq - b.seq));
}

export function clearReports(slug) {
  return run(["reports"], "readwrite", (transaction) => deleteAll(transaction, "reports", slug));
}

// Delete the edition's rows of an auto-increment store, inside the caller's transaction.
function deleteAll(transaction, storeName, slug) {
  const store = transaction.objectStore(storeName);
  store.index("slug").openKeyCursor(IDBKeyRange.only(slug)).onsuccess = (event) => {
    const cursor = event.target.result;
    if (cursor) {
      store.delete(cursor.primaryKey);
      cursor.continue();
    }
  };
}

/**
 * Delete what the device keeps about one edition. With ``keepScans``, the scans not synced yet
 * stay: an admission is never lost because a session ended; they leave at the next sync, or at
 * a logout the agent confirmed.
 */
export function wipeEdition(slug, { keepScans = false } = {}) {
  return run(["editions", "people", "scans", "reports"], "readwrite", (transaction) => {
    transaction.objectStore("editions").delete(slug);
    transaction.objectStore("people").delete(slug);
    if (!keepScans) {
      deleteAll(transaction, "scans", slug);
    }
    deleteAll(transaction, "reports", slug);
  });
}

/** Delete the whole database: nothing of any edition stays on the device. */
export async function wipe() {
  if (opening) {
    const db = await opening.catch(() => null);
    db?.close();
    opening = null;
  }
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = resolve;
    request.onerror = () => reject(request.error);
    // Another tab still has it open: the deletion completes when it closes it (its
    // onversionchange above), so the data is gone all the same.
    request.onblocked = resolve;
  });
}

export { DB_NAME };
