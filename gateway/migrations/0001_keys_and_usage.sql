-- API keys (only the SHA-256 of each secret) with their plans, and the usage ledger flushed from each key's
-- Durable Object. Money is in integer micros of the plan currency.

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  mode TEXT NOT NULL CHECK (mode IN ('live', 'test')),
  last4 TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  requests_per_minute INTEGER NOT NULL,
  max_concurrent INTEGER NOT NULL,
  monthly_character_quota INTEGER,
  price_per_1k_chars_micros INTEGER NOT NULL,
  cache_hit_price_per_1k_chars_micros INTEGER NOT NULL,
  currency TEXT NOT NULL DEFAULT 'usd',
  stripe_customer_id TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

-- One row per billable request; event_id makes a replayed flush or a retried request harmless.
CREATE TABLE usage_events (
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
  stripe_reported_ms INTEGER
);

CREATE INDEX usage_events_by_key_and_time ON usage_events (key_id, occurred_ms);
CREATE INDEX usage_events_by_time ON usage_events (occurred_ms);
