/**
 * API keys: D1 is the source of truth, KV a short-lived read-through cache keyed by the key's SHA-256.
 * Only hashes are stored; the secret exists in the answer that created it and nowhere else.
 *
 * Every cached copy (KV, and each isolate's map) carries the time it was read from D1, and is trusted only until
 * that time plus KEY_CACHE_TTL_SECONDS: KV's own edge caching (`cacheTtl`) can hand out a value after its
 * expiration, so the copy's age, not the cache's, is what bounds how stale a record can be.
 * @module
 */
import { ApiError, randomHex, type ApiKey, type ApiKeyMode, type CreateApiKeyRequest, type Plan } from '@gsv-edge/shared';
import { generateKey, hashKey, redactKey } from './key-format.ts';

/** What the gateway knows about a caller once its key is verified. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly mode: ApiKeyMode;
  readonly last4: string;
  readonly plan: Plan;
  readonly stripeCustomerId: string | null;
  /** The account whose phrase cache the key shares (its own id unless set). */
  readonly accountId: string;
  /** Voice ids the key may use; `null` is every voice. */
  readonly allowedVoices: readonly string[] | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** When this copy was read from D1 (ms since the epoch). */
  readonly loadedAtMs: number;
}

interface ApiKeyRow {
  id: string;
  mode: string;
  last4: string;
  name: string;
  requests_per_minute: number;
  max_concurrent: number;
  monthly_character_quota: number | null;
  price_per_1k_chars_micros: number;
  cache_hit_price_per_1k_chars_micros: number;
  currency: string;
  stripe_customer_id: string | null;
  account_id: string | null;
  allowed_voices: string | null;
  created_at: string;
  revoked_at: string | null;
}

const COLUMN_NAMES = [
  'id',
  'mode',
  'last4',
  'name',
  'requests_per_minute',
  'max_concurrent',
  'monthly_character_quota',
  'price_per_1k_chars_micros',
  'cache_hit_price_per_1k_chars_micros',
  'currency',
  'stripe_customer_id',
  'account_id',
  'allowed_voices',
  'created_at',
  'revoked_at',
] as const satisfies readonly (keyof ApiKeyRow)[];
const COLUMNS = COLUMN_NAMES.join(', ');

const kvName = (hash: string) => `key:${hash}`;

/**
 * This isolate's copy of recently used key records, so a busy key costs no KV read per request. As safe as the KV
 * copy, and for the same time: revocation never depends on it, because the key's Durable Object is asked on every
 * request. Bounded so that a flood of keys cannot grow it without limit.
 */
const recent = new Map<string, { record: ApiKeyRecord }>();
const RECENT_MAX = 10_000;

export class KeyStore {
  readonly #db: D1Database;
  readonly #kv: KVNamespace;
  readonly #cacheTtlSeconds: number;

  constructor(env: Cloudflare.Env, cacheTtlSeconds: number) {
    this.#db = env.DB;
    this.#kv = env.KEY_CACHE;
    this.#cacheTtlSeconds = cacheTtlSeconds;
  }

  /** This isolate's copy of the key, if it has a fresh one: no I/O. */
  remembered(hash: string, now: number = Date.now()): ApiKeyRecord | null {
    const remembered = recent.get(hash);
    return remembered !== undefined && this.#fresh(remembered.record, now) ? remembered.record : null;
  }

  /** The key with this hash, from KV when cached there, else from D1 (then cached). `null` when unknown. */
  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const now = Date.now();
    const known = this.remembered(hash, now);
    if (known !== null) return known;
    const record = await this.#lookup(hash, now);
    if (record !== null) {
      if (recent.size >= RECENT_MAX) recent.clear();
      recent.set(hash, { record });
    }
    return record;
  }

  async #lookup(hash: string, now: number): Promise<ApiKeyRecord | null> {
    const cached = await this.#kv.get<ApiKeyRecord>(kvName(hash), { type: 'json', cacheTtl: this.#cacheTtlSeconds });
    if (cached !== null && this.#fresh(cached, now)) return cached;
    const row = await this.#db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`).bind(hash).first<ApiKeyRow>();
    if (row === null) return null;
    const record = toRecord(row, now);
    await this.#kv.put(kvName(hash), JSON.stringify(record), { expirationTtl: this.#cacheTtlSeconds });
    return record;
  }

  #fresh(record: ApiKeyRecord, now: number): boolean {
    return typeof record.loadedAtMs === 'number' && now - record.loadedAtMs < this.#cacheTtlSeconds * 1000;
  }

  async create(request: CreateApiKeyRequest): Promise<{ record: ApiKeyRecord; secret: string }> {
    const secret = await generateKey(request.mode);
    const { plan } = request;
    const row: ApiKeyRow = {
      id: `key_${randomHex(8)}`,
      mode: request.mode,
      last4: secret.slice(-4),
      name: request.name,
      requests_per_minute: plan.requests_per_minute,
      max_concurrent: plan.max_concurrent,
      monthly_character_quota: plan.monthly_character_quota,
      price_per_1k_chars_micros: plan.price_per_1k_chars_micros,
      cache_hit_price_per_1k_chars_micros: plan.cache_hit_price_per_1k_chars_micros,
      currency: plan.currency,
      stripe_customer_id: request.stripe_customer_id,
      account_id: request.account_id,
      allowed_voices: request.allowed_voices === null ? null : JSON.stringify(request.allowed_voices),
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    await this.#db
      .prepare(`INSERT INTO api_keys (key_hash, ${COLUMNS}) VALUES (?${', ?'.repeat(COLUMN_NAMES.length)})`)
      .bind(await hashKey(secret), ...COLUMN_NAMES.map((name) => row[name]))
      .run();
    return { record: toRecord(row, Date.now()), secret };
  }

  async get(id: string): Promise<ApiKeyRecord> {
    const row = await this.#db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).bind(id).first<ApiKeyRow>();
    if (row === null) throw new ApiError('not_found', `No API key with id "${id}".`, { param: 'id' });
    return toRecord(row, Date.now());
  }

  async list(includeRevoked: boolean): Promise<ApiKeyRecord[]> {
    const where = includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const { results } = await this.#db.prepare(`SELECT ${COLUMNS} FROM api_keys ${where} ORDER BY created_at, id`).all<ApiKeyRow>();
    const now = Date.now();
    return results.map((row) => toRecord(row, now));
  }

  /** Marks the key revoked in D1 and drops its KV entry. Revoking twice keeps the first time. */
  async revoke(id: string): Promise<ApiKeyRecord> {
    const row = await this.#db
      .prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING key_hash')
      .bind(new Date().toISOString(), id)
      .first<{ key_hash: string }>();
    if (row === null) throw new ApiError('not_found', `No API key with id "${id}".`, { param: 'id' });
    await this.#kv.delete(kvName(row.key_hash));
    recent.delete(row.key_hash);
    return this.get(id);
  }
}

export function toApiKey(record: ApiKeyRecord): ApiKey {
  return {
    object: 'api_key',
    id: record.id,
    name: record.name,
    mode: record.mode,
    redacted: redactKey(record.mode, record.last4),
    plan: record.plan,
    stripe_customer_id: record.stripeCustomerId,
    account_id: record.accountId,
    allowed_voices: record.allowedVoices === null ? null : [...record.allowedVoices],
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
  };
}

function toRecord(row: ApiKeyRow, loadedAtMs: number): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode === 'test' ? 'test' : 'live',
    last4: row.last4,
    plan: {
      requests_per_minute: row.requests_per_minute,
      max_concurrent: row.max_concurrent,
      monthly_character_quota: row.monthly_character_quota,
      price_per_1k_chars_micros: row.price_per_1k_chars_micros,
      cache_hit_price_per_1k_chars_micros: row.cache_hit_price_per_1k_chars_micros,
      currency: row.currency,
    },
    stripeCustomerId: row.stripe_customer_id,
    accountId: row.account_id ?? row.id,
    allowedVoices: parseVoiceList(row.allowed_voices),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    loadedAtMs,
  };
}

function parseVoiceList(json: string | null): readonly string[] | null {
  if (json === null) return null;
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Whether the key may use the voice (a voice it may not use is answered as unknown, so keys cannot probe ids). */
export function mayUseVoice(record: ApiKeyRecord, voiceId: string): boolean {
  return record.allowedVoices === null || record.allowedVoices.includes(voiceId);
}
