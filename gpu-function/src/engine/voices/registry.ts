/**
 * Voices: each is a model bundle plus reference audio, its transcript and optional auxiliary references. In a
 * deployment the gateway owns them (D1 and R2): a voice this function has not seen, or has seen in another version,
 * is fetched from the gateway through a {@link VoiceSource}, checked against its version, and kept here as a cache.
 * Used as a library without a gateway, voices are registered here directly (`create`). Either way definitions and
 * audio persist under the data directory (audio content-addressed by SHA-256), and features are computed once per
 * voice version and cached (see feature-cache.ts), so a restart recomputes nothing.
 *
 * A voice's version (shared `voiceVersion`) hashes everything its audio depends on; replacing a voice's audio or
 * transcript, or the bundle's weights, gives a new version and therefore new synthesis keys.
 *
 * Voice ids name files (`voices/<id>.json`), so every id is checked against the shared `idSchema` before a path is
 * built from it. At start, a definition that cannot be read or parsed, or whose id does not match its file name, is
 * skipped with a notice naming the file: one damaged file must not take every other voice down with it. The voice
 * is then unknown (`voice_not_found`) until it is registered again, which rewrites its file.
 * @module
 */
import {
  ApiError,
  idSchema,
  parseOrThrow,
  voiceSchema,
  voiceVersion,
  type CreateVoiceRequest,
  type Voice,
  type VoiceInspection,
} from '@gsv-edge/shared';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedBundle } from '../bundle/loaded-bundle.ts';
import type { BundleManifest } from '../../models/bundle/manifest.ts';
import { removeLeftoverTemporaries, writeFileAtomically } from '../../storage/atomic-write.ts';
import type { TextFrontend } from '../../text/frontend.ts';
import { computeCfmPrompt } from './cfm-prompt.ts';
import { extractVoiceFeatures } from './extract-features.ts';
import type { VoiceFeatureCache } from './feature-cache.ts';
import type { VoiceFeatures } from './features.ts';
import { prepareReference, ReferenceAudioError, type PreparedReference } from './reference-audio.ts';

/** Where voices come from when this function has not seen them: the gateway, in a deployment. */
export interface VoiceSource {
  /** The voice's current definition, or `null` when there is no such voice. */
  voice(id: string): Promise<Voice | null>;
  /** A recording by its SHA-256. */
  recording(sha256: string): Promise<Uint8Array>;
}

export interface VoiceModel {
  readonly bundle: LoadedBundle;
  readonly frontend: TextFrontend;
}

export interface VoiceRegistryOptions {
  /** Where voice definitions and reference audio live. */
  readonly dir: string;
  readonly models: ReadonlyMap<string, VoiceModel>;
  readonly features: VoiceFeatureCache;
  /** Where unknown voices and versions are fetched from; without one, only voices registered here exist. */
  readonly source?: VoiceSource;
  /** Start-up notices (definition files skipped); stderr by default. */
  readonly log?: (message: string) => void;
  /** With a source: definitions held in memory (default 10,000); the rest are fetched again when named. */
  readonly maxDefinitions?: number;
}

/** What the registry needs of its definitions' map: a `Map`, or with a source an LRU. */
interface Definitions {
  get(id: string): Voice | undefined;
  set(id: string, voice: Voice): unknown;
  has(id: string): boolean;
  delete(id: string): boolean;
  values(): Iterable<Voice>;
  readonly size: number;
}

const DEFINITION_SUFFIX = '.json';

export class VoiceRegistry {
  readonly #dir: string;
  readonly #models: ReadonlyMap<string, VoiceModel>;
  readonly #cache: VoiceFeatureCache;
  readonly #voices: Definitions;
  /** Voices being created, so two concurrent creations of one id cannot both succeed. */
  readonly #pending = new Set<string>();
  /** Creations running (they use the bundles' sessions, so closing waits for them). */
  readonly #creations = new Set<Promise<unknown>>();
  readonly #source: VoiceSource | undefined;
  readonly #log: (message: string) => void;
  /** Fetches in progress by id and version, so concurrent requests for one unseen voice fetch it once. */
  readonly #fetching = new Map<string, Promise<Voice>>();
  /** Feature computations in progress by version. */
  readonly #computing = new Map<string, Promise<VoiceFeatures>>();
  #closed = false;

  private constructor(options: VoiceRegistryOptions) {
    this.#dir = options.dir;
    this.#models = options.models;
    this.#cache = options.features;
    this.#source = options.source;
    this.#log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
    this.#voices = options.source === undefined ? new Map<string, Voice>() : new LRUCache<string, Voice>({ max: options.maxDefinitions ?? 10_000 });
  }

  /** Definitions held in memory now. */
  get size(): number {
    return this.#voices.size;
  }

  static async open(options: VoiceRegistryOptions): Promise<VoiceRegistry> {
    const registry = new VoiceRegistry(options);
    await mkdir(registry.#definitions, { recursive: true });
    await mkdir(registry.#audio, { recursive: true });
    const log = registry.#log;
    for (const dir of [registry.#definitions, registry.#audio]) {
      const removed = await removeLeftoverTemporaries(dir);
      if (removed.length > 0) log(`voices: removed ${String(removed.length)} temporary files left by an interrupted write in ${dir}`);
    }
    for (const name of (await readdir(registry.#definitions)).sort()) {
      if (!name.endsWith(DEFINITION_SUFFIX)) continue;
      const path = join(registry.#definitions, name);
      try {
        const voice = await readDefinition(path, name.slice(0, -DEFINITION_SUFFIX.length));
        registry.#voices.set(voice.id, voice);
      } catch (error) {
        log(`voice definition ${path} skipped: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return registry;
  }

  list(): Voice[] {
    return [...this.#voices.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): Voice | undefined {
    return this.#voices.get(id);
  }

  /**
   * The voice a request names, in the version it was keyed with (when given): from here, or fetched from the source
   * when this function has not seen it or holds another version. Rejects with `voice_not_found`,
   * `voice_version_mismatch` (the gateway's current version is another), or `model_not_found`.
   */
  async resolve(id: string, version?: string): Promise<Voice> {
    const known = this.#voices.get(id);
    if (known !== undefined && (version === undefined || known.version === version)) return known;
    if (this.#source === undefined) {
      if (known === undefined) throw new ApiError('voice_not_found', `No voice "${id}".`, { param: 'voice' });
      throw versionMismatch(id);
    }
    checkId(id, 'voice');
    const name = `${id}\n${version ?? ''}`;
    let fetching = this.#fetching.get(name);
    if (fetching === undefined) {
      fetching = this.#fetch(this.#source, id, version).finally(() => this.#fetching.delete(name));
      this.#fetching.set(name, fetching);
    }
    return fetching;
  }

  /**
   * Decodes and checks a voice upload for the gateway, without registering anything; the recordings and the
   * features of the version they make are kept, so the first synthesis with the voice here starts warm.
   */
  async inspect(request: CreateVoiceRequest): Promise<VoiceInspection> {
    if (this.#closed) throw new ApiError('not_ready', 'The engine is shutting down; voices cannot be inspected now.');
    const model = this.#voiceModel(request.model);
    const { recordings, reference, aux, hashes } = await this.#prepareUpload(request);
    const version = await voiceVersion({ model_sha256: model.bundle.sha256, recordings: hashes, prompt_text: request.prompt_text, prompt_lang: request.prompt_lang });
    await this.#keepRecordings(recordings, hashes);
    if ((await this.#cache.get(version)) === undefined) {
      await this.#cache.put(await this.#compute(model, version, reference, aux, request.prompt_text, request.prompt_lang));
    }
    return {
      object: 'voice.inspection',
      model: request.model,
      model_sha256: model.bundle.sha256,
      sample_rate: model.bundle.manifest.sample_rate,
      reference: info(hashes[0] as string, reference),
      aux_references: aux.map((item, i) => info(hashes[i + 1] as string, item)),
    };
  }

  /**
   * Registers a voice. Rejects with an {@link ApiError}: `invalid_field` (param `id`) for an id that is not a valid
   * voice id, `voice_exists`, `model_not_found`, `invalid_reference_audio`, or `not_ready` once the registry is closed.
   */
  async create(request: CreateVoiceRequest): Promise<Voice> {
    if (this.#closed) throw new ApiError('not_ready', 'The engine is shutting down; voices cannot be registered now.');
    checkId(request.id);
    const creation = this.#create(request);
    this.#creations.add(creation);
    try {
      return await creation;
    } finally {
      this.#creations.delete(creation);
    }
  }

  /**
   * Refuses further registrations (`not_ready`) and resolves once those already running have finished, so the
   * bundles' sessions can be released.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#creations]);
  }

  async #create(request: CreateVoiceRequest): Promise<Voice> {
    const model = this.#voiceModel(request.model);
    if (this.#voices.has(request.id) || this.#pending.has(request.id)) {
      throw new ApiError('voice_exists', `A voice "${request.id}" already exists; delete it first or choose another id.`, { param: 'id' });
    }
    this.#pending.add(request.id);
    try {
      const { recordings, reference, aux, hashes } = await this.#prepareUpload(request);
      const version = await voiceVersion({ model_sha256: model.bundle.sha256, recordings: hashes, prompt_text: request.prompt_text, prompt_lang: request.prompt_lang });
      if ((await this.#cache.get(version)) === undefined) {
        await this.#cache.put(await this.#compute(model, version, reference, aux, request.prompt_text, request.prompt_lang));
      }
      await this.#keepRecordings(recordings, hashes);
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
      await writeFileAtomically(this.#definitionPath(voice.id), `${JSON.stringify(voice, null, 2)}\n`);
      this.#voices.set(voice.id, voice);
      return voice;
    } finally {
      this.#pending.delete(request.id);
    }
  }

  /** Features of a recording that is not a voice (the engine's warm-up): computed, not stored. */
  async transientFeatures(modelId: string, recording: Uint8Array, promptText: string, promptLang: Voice['prompt_lang']): Promise<VoiceFeatures> {
    const model = this.#voiceModel(modelId);
    return this.#compute(model, '0'.repeat(64), await prepared(recording, 'ref_audio'), [], promptText, promptLang);
  }

  /** The model a voice upload names, if it is loaded and can register voices. */
  #voiceModel(id: string): VoiceModel {
    const model = this.#models.get(id);
    if (model === undefined) throw new ApiError('model_not_found', `No model bundle "${id}" is loaded.`, { param: 'model' });
    if (model.bundle.sessions.hubert === undefined) {
      throw new ApiError('invalid_field', `Model bundle "${id}" was built without HuBERT, so it cannot register voices; rebuild it with --hubert.`, { param: 'model' });
    }
    return model;
  }

  async #prepareUpload(request: CreateVoiceRequest) {
    checkCfmUpload(this.#voiceModel(request.model).bundle.manifest, request);
    const recordings = [request.ref_audio, ...request.aux_ref_audio].map((data) => Buffer.from(data, 'base64'));
    const [main, ...auxiliary] = recordings;
    const reference = await prepared(main ?? Buffer.alloc(0), 'ref_audio');
    const aux = await Promise.all(auxiliary.map((bytes, i) => prepared(bytes, `aux_ref_audio.${String(i)}`)));
    return { recordings, reference, aux, hashes: recordings.map(sha256Of) };
  }

  async #keepRecordings(recordings: readonly Uint8Array[], hashes: readonly string[]): Promise<void> {
    for (const [i, bytes] of recordings.entries()) await writeFileAtomically(join(this.#audio, hashes[i] as string), bytes);
  }

  /** Fetches a voice from the source, checks every recording and the version against them, and keeps it. */
  async #fetch(source: VoiceSource, id: string, version: string | undefined): Promise<Voice> {
    const voice = await source.voice(id);
    if (voice === null) throw new ApiError('voice_not_found', `No voice "${id}".`, { param: 'voice' });
    if (voice.id !== id) throw new Error(`the voice source answered voice "${voice.id}" for "${id}"`);
    if (version !== undefined && voice.version !== version) throw versionMismatch(id);
    const model = this.#models.get(voice.model);
    if (model === undefined) throw new ApiError('model_not_found', `Voice "${id}" needs model bundle "${voice.model}", which this function does not carry.`, { param: 'voice' });
    if (model.bundle.sha256 !== voice.model_sha256) {
      throw new ApiError('model_not_found', `Voice "${id}" was made for other weights of model bundle "${voice.model}" than this function carries.`, { param: 'voice' });
    }
    const hashes = [voice.reference, ...voice.aux_references].map((item) => item.sha256);
    for (const sha256 of hashes) {
      if ((await this.#storedRecording(sha256)) === undefined) await this.#fetchRecording(source, sha256);
    }
    const computed = await voiceVersion({ model_sha256: voice.model_sha256, recordings: hashes, prompt_text: voice.prompt_text, prompt_lang: voice.prompt_lang });
    if (computed !== voice.version) throw new Error(`voice "${id}" from the source does not hash to its version ${voice.version}`);
    await writeFileAtomically(this.#definitionPath(id), `${JSON.stringify(voice, null, 2)}\n`);
    this.#voices.set(id, voice);
    return voice;
  }

  async delete(id: string): Promise<boolean> {
    // Only ids read from a valid definition or checked by `create` are registered, so no other id reaches a path.
    if (!this.#voices.has(id)) return false;
    const path = this.#definitionPath(id);
    this.#voices.delete(id);
    await rm(path, { force: true });
    return true;
  }

  /**
   * The voice's features: from the cache, or computed from its stored audio (once, however many requests for a new
   * voice arrive together).
   */
  async features(voice: Voice): Promise<VoiceFeatures> {
    const cached = await this.#cache.get(voice.version);
    if (cached !== undefined) return cached;
    let computing = this.#computing.get(voice.version);
    if (computing === undefined) {
      computing = this.#computeStored(voice).finally(() => this.#computing.delete(voice.version));
      this.#computing.set(voice.version, computing);
    }
    return computing;
  }

  async #computeStored(voice: Voice): Promise<VoiceFeatures> {
    const model = this.#models.get(voice.model);
    if (model === undefined) throw new ApiError('model_not_found', `Voice "${voice.id}" needs model bundle "${voice.model}", which is not loaded.`, { param: 'voice' });
    const load = async (sha: string, field: string) => prepared(await this.#recording(voice, sha), field);
    const reference = await load(voice.reference.sha256, 'ref_audio');
    const aux = await Promise.all(voice.aux_references.map((item, i) => load(item.sha256, `aux_ref_audio.${String(i)}`)));
    const features = await this.#compute(model, voice.version, reference, aux, voice.prompt_text, voice.prompt_lang);
    await this.#cache.put(features);
    return features;
  }

  /** A recording of `voice`, checked against its hash: from disk, or fetched again when missing or damaged. */
  async #recording(voice: Voice, sha256: string): Promise<Uint8Array> {
    const stored = await this.#storedRecording(sha256);
    if (stored !== undefined) return stored;
    if (this.#source === undefined) {
      throw new ApiError('synthesis_failed', `The stored reference audio of voice "${voice.id}" is missing or damaged; register the voice again.`);
    }
    return this.#fetchRecording(this.#source, sha256);
  }

  /** The stored recording if it is there and intact; a damaged one is removed (and the removal logged). */
  async #storedRecording(sha256: string): Promise<Uint8Array | undefined> {
    const path = join(this.#audio, sha256);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (sha256Of(bytes) === sha256) return bytes;
    this.#log(`voices: recording ${path} does not match its SHA-256 (${String(bytes.length)} bytes, damaged or truncated); removed`);
    await rm(path, { force: true });
    return undefined;
  }

  async #fetchRecording(source: VoiceSource, sha256: string): Promise<Uint8Array> {
    const bytes = await source.recording(sha256);
    if (sha256Of(bytes) !== sha256) throw new Error(`the voice source answered other bytes for recording ${sha256}`);
    await writeFileAtomically(join(this.#audio, sha256), bytes);
    return bytes;
  }

  async #compute(
    model: VoiceModel,
    version: string,
    reference: PreparedReference,
    auxiliary: readonly PreparedReference[],
    promptText: string,
    promptLang: Voice['prompt_lang'],
  ): Promise<VoiceFeatures> {
    const { hubert, sovitsExtract, sovitsRefEncoder, sv, cfm } = model.bundle.sessions;
    if (hubert === undefined) throw new Error(`model bundle ${model.bundle.manifest.id} has no HuBERT`);
    const features = await extractVoiceFeatures({ hubert, extract: sovitsExtract, refEncoder: sovitsRefEncoder, sv }, model.frontend, {
      version,
      reference,
      auxiliary,
      promptText,
      promptLang,
    });
    const cfmSection = model.bundle.manifest.cfm;
    if (cfmSection === null || cfm === undefined) return features;
    const prompt = { tokens: features.promptTokens, phoneIds: features.promptPhoneIds, ge: features.ge };
    return { ...features, cfmPrompt: await computeCfmPrompt(cfm, cfmSection.dims.version, reference, prompt) };
  }

  get #definitions(): string {
    return join(this.#dir, 'voices');
  }

  /** The definition file of a voice; throws for an id that is not a valid voice id (a bug: callers check first). */
  #definitionPath(id: string): string {
    if (!idSchema.safeParse(id).success) throw new Error(`refusing to build a path from the invalid voice id ${JSON.stringify(id)}`);
    return join(this.#definitions, `${id}${DEFINITION_SUFFIX}`);
  }

  get #audio(): string {
    return join(this.#dir, 'audio');
  }
}

/** `invalid_field` (naming `param`) unless `id` is a valid voice id. */
function checkId(id: unknown, param = 'id'): void {
  const result = idSchema.safeParse(id);
  if (result.success) return;
  const rule = typeof id === 'string' ? (result.error.issues[0]?.message ?? 'must be a valid voice id') : 'must be a string';
  throw new ApiError('invalid_field', `\`${param}\` ${rule}; got ${JSON.stringify(id)}.`, { param });
}

function versionMismatch(id: string): ApiError {
  return new ApiError('voice_version_mismatch', `Voice "${id}" changed since this request was keyed; list voices again and retry.`, { param: 'voice' });
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads and checks one definition file; the error names what is wrong (the caller names the file). */
async function readDefinition(path: string, idFromName: string): Promise<Voice> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`it is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const voice = parseOrThrow(voiceSchema, json);
  if (voice.id !== idFromName) throw new Error(`it defines voice "${voice.id}", but its file name says "${idFromName}"`);
  return voice;
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

/**
 * v3/v4 take the CFM prompt from the main reference and its transcript: GPT-SoVITS refuses an empty prompt text for
 * them and reads no auxiliary reference, so an upload that relies on either is refused rather than half used.
 */
function checkCfmUpload(manifest: BundleManifest, request: CreateVoiceRequest): void {
  if (manifest.cfm === null) return;
  const version = manifest.gpt_sovits_version;
  if (request.prompt_text.trim() === '') {
    throw new ApiError('invalid_field', `Model "${manifest.id}" is GPT-SoVITS ${version}, which needs the reference's transcript: \`prompt_text\` must not be empty.`, { param: 'prompt_text' });
  }
  if (request.aux_ref_audio.length > 0) {
    throw new ApiError('invalid_field', `Model "${manifest.id}" is GPT-SoVITS ${version}, which uses only the main reference: send no \`aux_ref_audio\`.`, { param: 'aux_ref_audio' });
  }
}
