/**
 * The frontend data a bundle can carry: what each data set is, where it lives in the bundle, and what it gives the
 * text frontend. None of it ships with gsv-edge; `gsv-edge bundle --gpt-sovits-dir` reads it out of the user's own
 * GPT-SoVITS installation, its Python packages and its NLTK data.
 *
 *   <bundle>/frontend/zh/tone-sandhi-words.json  {"must_neural_tone_words": [...], "must_not_neural_tone_words": [...]}
 *   <bundle>/frontend/zh/erhua-words.json        {"must_erhua": [...], "not_erhua": [...]}
 *   <bundle>/frontend/zh/pinyin_dict.json        pypinyin's: {"<code point>": "líng,yuán,xīng", ...}
 *   <bundle>/frontend/zh/phrases_dict.json       pypinyin's: {"<phrase>": [["yī"], ["dīng"]], ...}
 *   <bundle>/frontend/zh/char-convert.json       char_convert.py's strings: {"simplified": "...", "traditional": "..."}
 *   <bundle>/frontend/zh/posseg-hmm.json         jieba posseg's HMM: {"start", "trans", "emit", "char_states"}, states "B a"
 *   <bundle>/frontend/en/engdict.json            {"<lower-case word>": ["AH0", ...], ...}: english.py's dictionary
 *   <bundle>/frontend/en/namedict.json           {"<lower-case name>": ["AA1", ...], ...}: namedict_cache.pickle
 *   <bundle>/frontend/en/homographs.en           g2p_en's file, verbatim
 *   <bundle>/frontend/en/checkpoint20.npz        g2p_en's GRU weights, verbatim
 *   <bundle>/frontend/en/wordsegment-unigrams.txt  wordsegment's unigrams.txt, verbatim ("word<TAB>count" lines)
 *   <bundle>/frontend/en/wordsegment-bigrams.txt   wordsegment's bigrams.txt, verbatim
 *   <bundle>/frontend/en/averaged-perceptron.json  NLTK's tagger: {"weights": {feature: {tag: w}}, "tagdict", "classes"}
 *   <bundle>/frontend/ja/open_jtalk_dic/{sys.dic,unk.dic,matrix.bin,char.bin}  pyopenjtalk's compiled MeCab dictionary, verbatim
 *   <bundle>/frontend/ja/userdic/userdict.csv    GPT-SoVITS's ja_userdic/userdict.csv, verbatim (compiled when loaded)
 *   <bundle>/frontend/ja/open_jtalk_dic/{rewrite,left-id,right-id,pos-id}.def  the dictionary's .def files the
 *                                                compiling reads (ids and POS ids), verbatim
 * @module
 */

export const FRONTEND_DATA_IDS = [
  'zh-tone-sandhi-words',
  'zh-erhua-words',
  'zh-pypinyin',
  'zh-char-convert',
  'zh-posseg-hmm',
  'en-dictionary',
  'en-names',
  'en-homographs',
  'en-g2p-en-checkpoint',
  'en-wordsegment',
  'en-pos-tagger',
  'ja-open-jtalk-dic',
  'ja-userdic',
] as const;
export type FrontendDataId = (typeof FRONTEND_DATA_IDS)[number];

export const FRONTEND_DIR = 'frontend';

/** Bundle paths of each data set's files, in a fixed order. */
export const FRONTEND_DATA_FILES: Readonly<Record<FrontendDataId, readonly string[]>> = {
  'zh-tone-sandhi-words': ['frontend/zh/tone-sandhi-words.json'],
  'zh-erhua-words': ['frontend/zh/erhua-words.json'],
  'zh-pypinyin': ['frontend/zh/pinyin_dict.json', 'frontend/zh/phrases_dict.json'],
  'zh-char-convert': ['frontend/zh/char-convert.json'],
  'zh-posseg-hmm': ['frontend/zh/posseg-hmm.json'],
  'en-dictionary': ['frontend/en/engdict.json'],
  'en-names': ['frontend/en/namedict.json'],
  'en-homographs': ['frontend/en/homographs.en'],
  'en-g2p-en-checkpoint': ['frontend/en/checkpoint20.npz'],
  'en-wordsegment': ['frontend/en/wordsegment-unigrams.txt', 'frontend/en/wordsegment-bigrams.txt'],
  'en-pos-tagger': ['frontend/en/averaged-perceptron.json'],
  'ja-open-jtalk-dic': ['frontend/ja/open_jtalk_dic/sys.dic', 'frontend/ja/open_jtalk_dic/unk.dic', 'frontend/ja/open_jtalk_dic/matrix.bin', 'frontend/ja/open_jtalk_dic/char.bin'],
  'ja-userdic': [
    'frontend/ja/userdic/userdict.csv',
    'frontend/ja/open_jtalk_dic/rewrite.def',
    'frontend/ja/open_jtalk_dic/left-id.def',
    'frontend/ja/open_jtalk_dic/right-id.def',
    'frontend/ja/open_jtalk_dic/pos-id.def',
  ],
};

/** What each data set gives, and what stands in without it (for warnings and `gsv-edge g2p`). */
export const FRONTEND_DATA_PURPOSE: Readonly<Record<FrontendDataId, string>> = {
  'zh-tone-sandhi-words': "ToneSandhi's neutral-tone word lists (tone_sandhi.py); without them those words keep their full tones",
  'zh-erhua-words': "erhua's word lists (chinese2.py); without them 儿 is merged by the POS rule alone",
  'zh-pypinyin': "pypinyin's dictionaries; without them pinyin-pro reads polyphones from context",
  'zh-char-convert': "GPT-SoVITS's traditional → simplified table (char_convert.py); without it OpenCC's table stands in",
  'zh-posseg-hmm': "jieba posseg's POS HMM (jieba_fast/posseg); without it words outside the dictionary keep jieba's plain HMM cut and the tag n",
  'en-dictionary': "GPT-SoVITS's CMUdict (cmudict.rep, cmudict-fast.rep, engdict-hot.rep); without it npm's CMUdict copies stand in",
  'en-names': "GPT-SoVITS's name dictionary (namedict_cache.pickle); without it names go to the OOV path",
  'en-homographs': "g2p_en's homograph table; without it phonemize's IPA copy stands in",
  'en-g2p-en-checkpoint': "g2p_en's GRU weights for unknown words; without them a rule-based letter-to-sound reads them",
  'en-wordsegment': "wordsegment's unigram and bigram counts; without them run-together words split by SUBTLEXus unigrams alone",
  'en-pos-tagger': "NLTK's averaged perceptron tagger weights (nltk_data); without them wink-pos-tagger picks homograph readings",
  'ja-open-jtalk-dic': "pyopenjtalk's OpenJTalk dictionary (NAIST-JDIC, open_jtalk_dic_utf_8-1.11) for MeCab's analysis; without it Japanese text is refused",
  'ja-userdic':
    "GPT-SoVITS's Japanese user dictionary (ja_userdic/userdict.csv, compiled as pyopenjtalk's mecab_dict_index does); without it Japanese is read with pyopenjtalk's dictionary alone, as GPT-SoVITS reads it without the file",
};

/** Data sets nothing stands in for: without them their language is refused rather than read with other phones. */
export const WITHOUT_STAND_IN: ReadonlySet<FrontendDataId> = new Set(['ja-open-jtalk-dic']);
