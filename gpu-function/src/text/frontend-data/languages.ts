/**
 * The language modules a {@link FrontendData} makes: GPT-SoVITS's data where the bundle carries it, npm data
 * elsewhere, and the bundle's G2PW model when it has one. Japanese is read with OpenJTalk's NJD rules over the
 * bundle's dictionary; without the dictionary it refuses its runs, saying what is missing. Pass them to
 * `createTextFrontend({ symbols, languages })`.
 * @module
 */
import type { LanguageModules } from '../cleaner.ts';
import { createEnglishG2p } from '../en/index.ts';
import { createJaG2p, type NjdFrontendFactory } from '../ja/index.ts';
import { createZhG2p, defaultPinyinSource, G2pw } from '../zh/index.ts';
import type { G2pwModel } from '../zh/g2pw/bundle.ts';
import type { FrontendDataId } from './catalog.ts';
import type { FrontendData } from './load.ts';

function missingReason(data: FrontendData, id: FrontendDataId): { missingReason?: string } {
  const reason = data.missing.find((item) => item.id === id)?.reason;
  return reason === undefined ? {} : { missingReason: reason };
}

export interface FrontendModels {
  /** Without it, Mandarin is read pypinyin-style; with it, the frontend's asynchronous methods read it with G2PW. */
  readonly g2pw?: G2pwModel;
  /** The NJD stage over the bundle's dictionary (pyopenjtalk's run_frontend); OpenJTalk's rules when left out. */
  readonly njd?: NjdFrontendFactory;
}

export function frontendLanguages(data: FrontendData, models: FrontendModels = {}): LanguageModules {
  const zh = data.zh;
  const pinyinSource = zh.pinyinSource ?? defaultPinyinSource();
  const g2pw = models.g2pw === undefined ? undefined : new G2pw(models.g2pw.assets, models.g2pw.tokenizer, models.g2pw.run, pinyinSource, zh.toSimplified);
  return {
    en: createEnglishG2p(data.en),
    zh: createZhG2p({ ...zh, pinyinSource, ...(g2pw === undefined ? {} : { g2pw }) }),
    ja: createJaG2p({ ...data.ja, ...missingReason(data, 'ja-open-jtalk-dic'), ...(models.njd === undefined ? {} : { njd: models.njd }) }),
  };
}
