/**
 * The KeyAccount's SQLite tables (numbered migrations, applied once per object), and the copy of its usage events
 * into the D1 ledger.
 * @module
 */

/**
 * Each entry runs once, in order, in one transaction with the bump of `schema_version`. An object created before
 * versions were recorded has the first schema's tables already: its `CREATE ... IF NOT EXISTS` statements are no-ops.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS bucket (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     tokens REAL NOT NULL,
     updated_ms INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS leases (
     id TEXT PRIMARY KEY,
     expires_ms INTEGER NOT NULL,
     characters INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE IF NOT EXISTS events (
     event_id TEXT PRIMARY KEY,
     request_id TEXT NOT NULL,
     key_id TEXT NOT NULL,
     occurred_ms INTEGER NOT NULL,
     route TEXT NOT NULL,
     voice TEXT,
     characters INTEGER NOT NULL,
     audio_seconds REAL,
     cache_hit INTEGER NOT NULL,
     price_micros INTEGER NOT NULL,
     outcome TEXT NOT NULL,
     flushed INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX IF NOT EXISTS events_unflushed ON events (flushed, occurred_ms);
   CREATE TABLE IF NOT EXISTS month_usage (
     month TEXT PRIMARY KEY,
     requests INTEGER NOT NULL,
     characters INTEGER NOT NULL,
     cache_hits INTEGER NOT NULL,
     cached_characters INTEGER NOT NULL,
     audio_seconds REAL NOT NULL,
     cost_micros INTEGER NOT NULL
   );`,
  // A lease now remembers the idempotency key it holds (a second request with it is refused while it runs), what to
  // bill if its settle never arrives after its answer started, and whether it was already billed. `replays` maps
  // (idempotency key, synthesis key) to the event that billed it, so a retry answered from the cache is not billed
  // again.
  `ALTER TABLE leases ADD COLUMN idempotency TEXT;
   ALTER TABLE leases ADD COLUMN pending TEXT;
   ALTER TABLE leases ADD COLUMN started INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE leases ADD COLUMN charged INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX leases_by_idempotency ON leases (idempotency);
   CREATE INDEX leases_by_expiry ON leases (expires_ms);
   CREATE TABLE replays (
     replay_key TEXT PRIMARY KEY,
     event_id TEXT NOT NULL,
     expires_ms INTEGER NOT NULL
   );
   CREATE INDEX replays_by_expiry ON replays (expires_ms);`,
];

export function migrateAccountSchema(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  sql.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'schema_version'").toArray()[0];
  for (let version = Number(row?.value ?? 0); version < MIGRATIONS.length; version += 1) {
    storage.transactionSync(() => {
      sql.exec(MIGRATIONS[version] ?? '');
      sql.exec(
        "INSERT INTO meta (name, value) VALUES ('schema_version', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        String(version + 1),
      );
    });
  }
}

export interface EventRow extends Record<string, SqlStorageValue> {
  event_id: string;
  request_id: string;
  key_id: string;
  occurred_ms: number;
  route: string;
  voice: string | null;
  characters: number;
  audio_seconds: number | null;
  cache_hit: number;
  price_micros: number;
  outcome: string;
  flushed: number;
}

/** Inserts the events into D1 in one batch (one transaction); event ids already there are skipped. */
export async function flushEvents(db: D1Database, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  const insert = db.prepare(
    `INSERT INTO usage_events (event_id, request_id, key_id, occurred_ms, route, voice, characters, audio_seconds, cache_hit, price_micros, outcome)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
  );
  await db.batch(
    rows.map((row) =>
      insert.bind(
        row.event_id,
        row.request_id,
        row.key_id,
        row.occurred_ms,
        row.route,
        row.voice,
        row.characters,
        row.audio_seconds,
        row.cache_hit,
        row.price_micros,
        row.outcome,
      ),
    ),
  );
}
