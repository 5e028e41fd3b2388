/**
 * Registered voices: each is a model bundle plus uploaded reference audio, its transcript and optional auxiliary
 * references. Definitions and audio persist under the data directory (audio content-addressed by SHA-256), features
 * are computed once per voice version and cached (see feature-cache.ts), so a restart recomputes nothing.
 *
 * A voice's version hashes everything its features depend on; replacing a voice's audio or transcript, or the
 * bundle's weights, gives a new version and therefore new synthesis keys.
 * @module
 */
import { ApiError, canonicalSynthesisJson, sha256Hex, voiceSchema, type CreateVoiceRequest, type Voice } from '@gsv-edge/shared';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedBundle } from '../bundle/loaded-bundle.ts';
import type { TextFrontend } from '../../text/frontend.ts';
import { extractVoiceFeatures } from './extract-features.ts';
import type { VoiceFeatureCache } from './feature-cache.ts';
import { FEATURES_FORMAT_VERSION, type VoiceFeatures } from './features.ts';
import { prepareReference, ReferenceAudioError, type PreparedReference } from './reference-audio.ts';

export interface VoiceModel {
  readonly bundle: LoadedBundle;
  readonly frontend: TextFrontend;
}

export interface VoiceRegistryOptions {
  /** Where voice definitions and reference audio live. */
  readonly dir: string;
  readonly models: ReadonlyMap<string, VoiceModel>;
  readonly features: VoiceFeatureCache;
}

export class VoiceRegistry {
  readonly #dir: string;
  readonly #models: ReadonlyMap<string, VoiceModel>;
  readonly #cache: VoiceFeatureCache;
  readonly #voices = new Map<string, Voice>();
  /** Voices being created, so two concurrent creations of one id cannot both succeed. */
  readonly #pending = new Set<string>();

  private constructor(options: VoiceRegistryOptions) {
    this.#dir = options.dir;
    this.#models = options.models;
    this.#cache = options.features;
  }

  static async open(options: VoiceRegistryOptions): Promise<VoiceRegistry> {
    const registry = new VoiceRegistry(options);
    await mkdir(registry.#definitions, { recursive: true });
    await mkdir(registry.#audio, { recursive: true });
    for (const name of await readdir(registry.#definitions)) {
      if (!name.endsWith('.json')) continue;
      const voice = voiceSchema.parse(JSON.parse(await readFile(join(registry.#definitions, name), 'utf8')));
      registry.#voices.set(voice.id, voice);
    }
    return registry;
  }

  list(): Voice[] {
    return [...this.#voices.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): Voice | undefined {
    return this.#voices.get(id);
  }

  async create(request: CreateVoiceRequest): Promise<Voice> {
    const model = this.#models.get(request.model);
    if (model === undefined) throw new ApiError('model_not_found', `No model bundle "${request.model}" is loaded.`, { param: 'model' });
    if (model.bundle.sessions.hubert === undefined) {
      throw new ApiError('invalid_field', `Model bundle "${request.model}" was built without HuBERT, so it cannot register voices; rebuild it with --hubert.`, { param: 'model' });
    }
    if (this.#voices.has(request.id) || this.#pending.has(request.id)) {
      throw new ApiError('voice_exists', `A voice "${request.id}" already exists; delete it first or choose another id.`, { param: 'id' });
    }
    this.#pending.add(request.id);
    try {
      const main = Buffer.from(request.ref_audio, 'base64');
      const auxiliary = request.aux_ref_audio.map((data) => Buffer.from(data, 'base64'));
      const reference = await prepared(main, 'ref_audio');
      const aux = await Promise.all(auxiliary.map((bytes, i) => prepared(bytes, `aux_ref_audio.${String(i)}`)));
      const hashes = [main, ...auxiliary].map((bytes) => createHash('sha256').update(bytes).digest('hex'));
      const version = await sha256Hex(
        canonicalize({
          features_format: FEATURES_FORMAT_VERSION,
          model_sha256: model.bundle.sha256,
          reference: hashes,
          prompt_text: request.prompt_text.normalize('NFC'),
          prompt_lang: request.prompt_lang,
        }) ?? '',
      );
      if ((await this.#cache.get(version)) === undefined) {
        await this.#cache.put(await this.#compute(model, version, reference, aux, request.prompt_text, request.prompt_lang));
      }
      for (const [i, bytes] of [main, ...auxiliary].entries()) await writeAtomically(join(this.#audio, hashes[i] as string), bytes);
      const voice: Voice = {
        object: 'voice',
        id: request.id,
        model: request.model,
        model_sha256: model.bundle.sha256,
        version,
        prompt_text: request.prompt_text,
        prompt_lang: request.prompt_lang,
        reference: info(hashes[0] as string, reference),
        aux_references: aux.map((item, i) => info(hashes[i + 1] as string, item)),
        sample_rate: model.bundle.manifest.sample_rate,
        description: request.description,
        created_at: new Date().toISOString(),
      };
      await writeAtomically(join(this.#definitions, `${voice.id}.json`), `${JSON.stringify(voice, null, 2)}\n`);
      this.#voices.set(voice.id, voice);
      return voice;
    } finally {
      this.#pending.delete(request.id);
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!this.#voices.delete(id)) return false;
    await rm(join(this.#definitions, `${id}.json`), { force: true });
    return true;
  }

  /** The voice's features: from the cache, or recomputed from its stored audio if the cache lost them. */
  async features(voice: Voice): Promise<VoiceFeatures> {
    const cached = await this.#cache.get(voice.version);
    if (cached !== undefined) return cached;
    const model = this.#models.get(voice.model);
    if (model === undefined) throw new ApiError('model_not_found', `Voice "${voice.id}" needs model bundle "${voice.model}", which is not loaded.`, { param: 'voice' });
    const load = async (sha: string, field: string) => prepared(await readFile(join(this.#audio, sha)), field);
    const reference = await load(voice.reference.sha256, 'ref_audio');
    const aux = await Promise.all(voice.aux_references.map((item, i) => load(item.sha256, `aux_ref_audio.${String(i)}`)));
    const features = await this.#compute(model, voice.version, reference, aux, voice.prompt_text, voice.prompt_lang);
    await this.#cache.put(features);
    return features;
  }

  async #compute(
    model: VoiceModel,
    version: string,
    reference: PreparedReference,
    auxiliary: readonly PreparedReference[],
    promptText: string,
    promptLang: Voice['prompt_lang'],
  ): Promise<VoiceFeatures> {
    const { hubert, sovitsExtract, sovitsRefEncoder } = model.bundle.sessions;
    if (hubert === undefined) throw new Error(`model bundle ${model.bundle.manifest.id} has no HuBERT`);
    return extractVoiceFeatures({ hubert, extract: sovitsExtract, refEncoder: sovitsRefEncoder }, model.frontend, {
      version,
      reference,
      auxiliary,
      promptText,
      promptLang,
    });
  }

  get #definitions(): string {
    return join(this.#dir, 'voices');
  }

  get #audio(): string {
    return join(this.#dir, 'audio');
  }
}

async function prepared(bytes: Uint8Array, field: string): Promise<PreparedReference> {
  try {
    return await prepareReference(bytes);
  } catch (error) {
    if (error instanceof ReferenceAudioError) {
      throw new ApiError('invalid_reference_audio', `\`${field}\`: ${error.message}.`, { param: field, cause: error });
    }
    throw error;
  }
}

function info(sha256: string, reference: PreparedReference): Voice['reference'] {
  return { sha256, duration_s: reference.durationSeconds, sample_rate: reference.sampleRate, channels: reference.channels };
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${String(process.pid)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** Keeps the synthesis-key helper reachable for callers that only import the registry. */
export { canonicalSynthesisJson };
