/**
 * Voices, owned by the gateway: definitions in D1, recordings in R2 under their SHA-256 (content-addressed, so two
 * voices made from one recording share it). Every GPU function fetches from here what it has not seen, so every
 * origin can serve every voice.
 * @module
 */
import { sha256Hex, voiceSchema, type Voice } from '@gsv-edge/shared';

interface VoiceRow {
  id: string;
  model: string;
  model_sha256: string;
  version: string;
  prompt_text: string;
  prompt_lang: string;
  reference: string;
  aux_references: string;
  sample_rate: number;
  description: string;
  created_at: string;
}

const COLUMNS = 'id, model, model_sha256, version, prompt_text, prompt_lang, reference, aux_references, sample_rate, description, created_at';

export class VoiceStore {
  readonly #db: D1Database;
  readonly #bucket: R2Bucket;

  constructor(env: Pick<Cloudflare.Env, 'DB' | 'PHRASES'>) {
    this.#db = env.DB;
    this.#bucket = env.PHRASES;
  }

  async list(): Promise<Voice[]> {
    const { results } = await this.#db.prepare(`SELECT ${COLUMNS} FROM voices ORDER BY id`).all<VoiceRow>();
    return results.map(toVoice);
  }

  async get(id: string): Promise<Voice | null> {
    const row = await this.#db.prepare(`SELECT ${COLUMNS} FROM voices WHERE id = ?`).bind(id).first<VoiceRow>();
    return row === null ? null : toVoice(row);
  }

  /** Adds the voice unless its id is taken; `false` when it was. */
  async insert(voice: Voice): Promise<boolean> {
    const result = await this.#db
      .prepare(`INSERT INTO voices (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
      .bind(
        voice.id,
        voice.model,
        voice.model_sha256,
        voice.version,
        voice.prompt_text,
        voice.prompt_lang,
        JSON.stringify(voice.reference),
        JSON.stringify(voice.aux_references),
        voice.sample_rate,
        voice.description,
        voice.created_at,
      )
      .run();
    return result.meta.changes > 0;
  }

  /** Removes the definition; its recordings stay (another voice may share them, and they are small). */
  async delete(id: string): Promise<boolean> {
    const result = await this.#db.prepare('DELETE FROM voices WHERE id = ?').bind(id).run();
    return result.meta.changes > 0;
  }

  /** Stores a recording under its SHA-256 (once), and returns the hash. */
  async putRecording(bytes: Uint8Array): Promise<string> {
    const sha256 = await sha256Hex(bytes);
    if ((await this.#bucket.head(recordingKey(sha256))) === null) await this.#bucket.put(recordingKey(sha256), bytes);
    return sha256;
  }

  async recording(sha256: string): Promise<R2ObjectBody | null> {
    return this.#bucket.get(recordingKey(sha256));
  }
}

function recordingKey(sha256: string): string {
  return `voices/audio/${sha256}`;
}

function toVoice(row: VoiceRow): Voice {
  return voiceSchema.parse({
    object: 'voice',
    id: row.id,
    model: row.model,
    model_sha256: row.model_sha256,
    version: row.version,
    prompt_text: row.prompt_text,
    prompt_lang: row.prompt_lang,
    reference: JSON.parse(row.reference) as unknown,
    aux_references: JSON.parse(row.aux_references) as unknown,
    sample_rate: row.sample_rate,
    description: row.description,
    created_at: row.created_at,
  });
}
