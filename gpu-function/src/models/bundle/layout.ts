/**
 * Where each file of a bundle lives:
 *
 *   <bundle>/manifest.json
 *   <bundle>/<precision>/{t2s-prefill,t2s-decode,sovits-extract,sovits-ref-encoder,sovits-decoder,bert,hubert}.onnx
 *   <bundle>/<precision>/t2s-decode-resident.onnx
 *                                         the decode step that returns its KV pool (the WebGPU device-resident
 *                                         route); absent in older bundles, which then use the host pool
 *   <bundle>/<precision>/sv.onnx          v2Pro/v2ProPlus only: the speaker-verification model
 *   <bundle>/<precision>/{cfm-mel,cfm-encp,cfm-text,cfm-step,vocoder}.onnx
 *                                         v3/v4 only, in place of sovits-decoder
 *   <bundle>/<precision>/weights.bin      every graph's weights, each tensor stored once per precision
 *   <bundle>/bert/vocab.txt               the BERT tokenizer vocabulary
 *   <bundle>/frontend/...                 text-frontend data from the user's GPT-SoVITS install (see
 *                                         text/frontend-data/catalog.ts), only with `--gpt-sovits-dir`
 *   <bundle>/g2pw/...                     the user's G2PW model and its side files (see
 *                                         text/zh/g2pw/manifest-section.ts), only with `--g2pw` or a G2PWModel
 *                                         folder in `--gpt-sovits-dir`
 * @module
 */
import { BERT_FILE } from '../bert/io.ts';
import { HUBERT_FILE } from '../hubert/io.ts';
import { CFM_ENCP_IO, CFM_MEL_IO, CFM_STEP_IO, CFM_TEXT_IO } from '../cfm/io.ts';
import { VOCODER_IO } from '../vocoder/io.ts';
import { SOVITS_DECODER_IO, SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO } from '../sovits/io.ts';
import { SV_FILE } from '../sv/io.ts';
import { T2S_FILES } from '../t2s/io.ts';
import type { BundlePrecision, FileRole } from './manifest.ts';

export const WEIGHTS_FILE = 'weights.bin';
export const BERT_VOCAB_PATH = 'bert/vocab.txt';

export type GraphRole = Exclude<FileRole, 'weights' | 'bert-vocab' | 'frontend-data' | 'g2pw'>;

export const GRAPH_FILES: Readonly<Record<GraphRole, string>> = {
  't2s-prefill': T2S_FILES.prefill,
  't2s-decode': T2S_FILES.decode,
  't2s-decode-resident': T2S_FILES.decodeResident,
  'sovits-extract': SOVITS_EXTRACT_IO.file,
  'sovits-ref-encoder': SOVITS_REF_ENCODER_IO.file,
  'sovits-decoder': SOVITS_DECODER_IO.file,
  'cfm-mel': CFM_MEL_IO.file,
  'cfm-encp': CFM_ENCP_IO.file,
  'cfm-text': CFM_TEXT_IO.file,
  'cfm-step': CFM_STEP_IO.file,
  vocoder: VOCODER_IO.file,
  bert: BERT_FILE,
  hubert: HUBERT_FILE,
  sv: SV_FILE,
};

export function graphPath(precision: BundlePrecision, role: GraphRole): string {
  return `${precision}/${GRAPH_FILES[role]}`;
}
