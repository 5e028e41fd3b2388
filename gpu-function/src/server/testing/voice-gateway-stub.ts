/**
 * A stand-in for the gateway's signed voice routes (gateway/src/routes/internal.ts), for exercising a GPU function
 * without a gateway: its tests and the container smoke test. It holds voices and recordings in memory, and
 * `addVoice` walks the real flow: the function inspects the upload, the stub stores it and derives the version.
 * @module
 */
import { MemoryNonceStore, signRequest, verifyRequest, voiceInspectionSchema, voiceVersion, type Voice } from '@gsv-edge/shared';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VoiceGatewayStub {
  readonly url: string;
  /** Inspects the upload on the GPU function at `functionUrl`, then serves the voice it makes. */
  addVoice(functionUrl: string, upload: { readonly id: string; readonly model: string; readonly promptText: string; readonly reference: Uint8Array }): Promise<Voice>;
  close(): Promise<void>;
}

export async function startVoiceGatewayStub(secret: string, host = '127.0.0.1'): Promise<VoiceGatewayStub> {
  const voices = new Map<string, Voice>();
  const recordings = new Map<string, Uint8Array>();
  const nonces = new MemoryNonceStore();
  const server: Server = createServer((req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    // As the real gateway does, the audience is the origin the request names (its Host): a container reaches the stub
    // by another name than the tests do.
    verifyRequest({ secrets: [secret], audience: `http://${req.headers.host ?? host}`, method: req.method ?? 'GET', pathAndQuery: req.url ?? '/', body: '', headers, nonces }).then(
      () => {
        const [, , , kind, id = ''] = (req.url ?? '').split('/');
        const found = kind === 'voices' ? voices.get(id) : recordings.get(id);
        if (found === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"type":"not_found_error","code":"not_found","message":"no such thing","param":null}}');
        else if (found instanceof Uint8Array) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(found);
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found));
      },
      () => res.writeHead(401).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const url = `http://${host}:${String((server.address() as AddressInfo).port)}`;

  return {
    url,
    async addVoice(functionUrl, upload) {
      const body = JSON.stringify({ id: upload.id, model: upload.model, prompt_text: upload.promptText, prompt_lang: 'en', ref_audio: Buffer.from(upload.reference).toString('base64') });
      const path = '/internal/v1/voices/inspect';
      const signature = await signRequest({ secret, audience: functionUrl, method: 'POST', pathAndQuery: path, body });
      const answer = await fetch(`${functionUrl}${path}`, { method: 'POST', headers: { ...signature, 'content-type': 'application/json' }, body });
      if (!answer.ok) throw new Error(`inspection failed: ${String(answer.status)} ${await answer.text()}`);
      const inspection = voiceInspectionSchema.parse(await answer.json());
      recordings.set(inspection.reference.sha256, upload.reference);
      const voice: Voice = {
        object: 'voice',
        id: upload.id,
        model: upload.model,
        model_sha256: inspection.model_sha256,
        version: await voiceVersion({ model_sha256: inspection.model_sha256, recordings: [inspection.reference.sha256], prompt_text: upload.promptText, prompt_lang: 'en' }),
        prompt_text: upload.promptText,
        prompt_lang: 'en',
        reference: inspection.reference,
        aux_references: [],
        sample_rate: inspection.sample_rate,
        description: '',
        created_at: new Date().toISOString(),
      };
      voices.set(upload.id, voice);
      return voice;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
