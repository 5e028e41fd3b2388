/**
 * The development routes: `GSV_EDGE_PYPINYIN_DIR` (a pypinyin package folder) and `GSV_EDGE_G2P_EN_CHECKPOINT`
 * (g2p_en's checkpoint20.npz) replace the corresponding data set, whatever the bundle carries. The bundle's frontend
 * data (`gsv-edge bundle --gpt-sovits-dir`) is the primary route.
 * @module
 */
import { G2P_EN_CHECKPOINT_ENV, g2pEnOov } from '../en/oov.ts';
import { loadG2pEnWeights } from '../en/g2p-en-gru.ts';
import { PYPINYIN_DIR_ENV } from '../zh/index.ts';
import { loadPypinyinSource } from '../zh/pypinyin-source.ts';
import type { FrontendDataId } from './catalog.ts';
import type { FrontendData } from './load.ts';

function markLoaded(data: FrontendData, id: FrontendDataId): Pick<FrontendData, 'loaded' | 'missing'> {
  return { loaded: data.loaded.includes(id) ? data.loaded : [...data.loaded, id], missing: data.missing.filter((item) => item.id !== id) };
}

export async function withEnvironmentOverrides(data: FrontendData, env: NodeJS.ProcessEnv = process.env): Promise<FrontendData> {
  let result = data;
  const pypinyinDir = env[PYPINYIN_DIR_ENV];
  if (pypinyinDir !== undefined && pypinyinDir !== '') {
    result = { ...result, zh: { ...result.zh, pinyinSource: loadPypinyinSource(pypinyinDir) }, ...markLoaded(result, 'zh-pypinyin') };
  }
  const checkpoint = env[G2P_EN_CHECKPOINT_ENV];
  if (checkpoint !== undefined && checkpoint !== '') {
    const oov = g2pEnOov(await loadG2pEnWeights(checkpoint));
    result = { ...result, en: { ...result.en, oov }, ...markLoaded(result, 'en-g2p-en-checkpoint') };
  }
  return result;
}
