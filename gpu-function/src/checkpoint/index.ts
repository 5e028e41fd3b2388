/**
 * Model-file readers for the model compiler: PyTorch zip checkpoints (GPT-SoVITS `.ckpt`/`.pth`, `pytorch_model.bin`),
 * safetensors and Hugging Face folders, each returning a typed architecture derived from tensor shapes plus a lazy
 * TensorStore, so a model is read one tensor at a time.
 * @module
 */
export { CheckpointError, UnsupportedModelError } from './errors.ts';
export { readT2sCheckpoint, t2sExpectedShapes, type T2sArchitecture, type T2sCheckpoint } from './gpt-sovits-t2s.ts';
export { detectSovitsVersion, readSovitsCheckpoint, type SovitsCheckpoint } from './gpt-sovits-sovits.ts';
export {
  CFM_BASE_INSTALL_PATHS,
  decideCfmVersion,
  hasCfmWeights,
  peekSovitsCfmFile,
  readSovitsCfmCheckpoint,
  type CfmVersionSource,
  type ReadSovitsCfmOptions,
  type SovitsCfmCheckpoint,
  type SovitsCfmFileKind,
  type SovitsLora,
} from './gpt-sovits-sovits-cfm.ts';
export { mergeLora, unwrapPeftName, type LoraOptions } from './lora-merge.ts';
export {
  BIGVGAN_CONFIG_FILE,
  BIGVGAN_GENERATOR_FILE,
  bigvganExpectedShapes,
  readBigvgan,
  type BigvganArchitecture,
  type BigvganCheckpoint,
  type BigvganConfig,
} from './bigvgan.ts';
export { readV4Vocoder, v4VocoderShapes, V4_VOCODER_SAMPLE_RATE, type V4VocoderArchitecture, type V4VocoderCheckpoint } from './vocoder-v4.ts';
export type { SovitsArchitecture, SovitsEncoderArchitecture, SovitsPriorArchitecture } from './sovits-architecture.ts';
export { deriveSovitsCfmArchitecture, sovitsCfmExpectedShapes, type SovitsCfmArchitecture, type SovitsDitArchitecture } from './sovits-cfm-architecture.ts';
export { sovitsExpectedShapes, sovitsPriorExpectedShapes, isSovitsTrainingOnly } from './sovits-shapes.ts';
export {
  VITS_SOVITS_VERSIONS,
  SYMBOL_TABLE_VERSIONS,
  fusesSpeakerEmbedding,
  symbolTableOf,
  unsupportedReason,
  type CfmSovitsVersion,
  type VitsSovitsVersion,
  type SovitsVersion,
} from './sovits-version.ts';
export { HEADER_VERSIONS, readHeaderTag, type HeaderTag } from './header.ts';
export { readHfBert, bertExpectedShapes, type BertArchitecture, type HfBert } from './hf-bert.ts';
export { readHfHubert, hubertExpectedShapes, type HfHubert, type HubertArchitecture } from './hf-hubert.ts';
export { openHfFolder, openTorchStateDict, readJson, readVocab, type HfFolder } from './hf-folder.ts';
export { openSafetensors } from './safetensors.ts';
export { openTorchCheckpoint, type StateDictOptions, type TorchCheckpoint } from './torch-archive.ts';
export { LazyTensorStore, renameStore, requireShape, type LazyTensor, type TensorInfo, type TensorStore } from './tensor-store.ts';
export { foldWeightNorm, foldWeightNormStore } from './weight-norm.ts';
export { sha256File } from './sha256.ts';
export { toPlain, type PlainObject, type PlainValue } from './plain.ts';
export { unpickle, PickleError, type GlobalHandler, type UnpickleOptions } from './pickle-reader.ts';
export { PyDict, PyGlobal, PyObject, PySet, PyTuple, type PickleValue } from './pickle-values.ts';
export type { TorchStorageRef, TorchTensorRef } from './torch-types.ts';
export { openZip, type ZipArchive } from './zip.ts';
export { pickle, PickleFloat, PickleInstance, PickleOrderedDict, PickleTuple, PickleWriter, type PickleReducible, type PickleWriteValue } from './pickle-writer.ts';
export { ownedTensor, TensorWrite, writeTorchCheckpoint, type StorageSource, type TorchWriteOptions } from './torch-writer.ts';
export { writeSafetensors, type SafetensorsSource } from './safetensors-writer.ts';
