-- Accounts and voice allow-lists on keys, and the Stripe export's per-event failures.

-- Keys of one account share its phrase cache; NULL means the key is its own account.
ALTER TABLE api_keys ADD COLUMN account_id TEXT;
-- JSON array of the voice ids the key may use; NULL means every voice.
ALTER TABLE api_keys ADD COLUMN allowed_voices TEXT;

-- Stripe's answer when it refused an event for good (e.g. a timestamp outside its 35-day window); such events are
-- skipped by later syncs instead of blocking them, and listed by the events export for the operator.
ALTER TABLE usage_events ADD COLUMN stripe_error TEXT;
