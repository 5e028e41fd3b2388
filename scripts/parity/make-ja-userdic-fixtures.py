"""Writes the Japanese user-dictionary parity fixture (gpu-function/test/fixtures/ja-userdic/) with the genuine code.

GPT-SoVITS's japanese.py compiles GPT_SoVITS/text/ja_userdic/userdict.csv at import with
`pyopenjtalk.mecab_dict_index(csv, user.dict)` and loads it with `pyopenjtalk.update_global_jtalk_with_user_dict`.
GPT-SoVITS's own 17 MB file was not available to this project, so the fixture's CSV (userdict.csv beside it) is
gsv-edge's own: English words in katakana in the same format (`*` ids, cost -32767, OpenJTalk's 11-field feature),
plus rows that leave the ids empty or -1 for MeCab to look up through rewrite.def/left-id.def/right-id.def.

This script does what japanese.py does with that CSV: compiles it with the genuine pyopenjtalk and loads it, then
runs GPT-SoVITS's own `clean_text(text, 'ja', 'v2')` (imported from a GPT-SoVITS checkout) over sentences.txt,
recording every `run_frontend(piece)` japanese.py makes (NJD words after all rules) and the phones and ids.

    PYTHONPATH=<pyopenjtalk site> OPEN_JTALK_DICT_DIR=/var/lib/mecab/dic/open-jtalk/naist-jdic \
      python scripts/parity/make-ja-userdic-fixtures.py --gpt-sovits-dir /path/to/GPT-SoVITS

Writes expected.json (`sentences`: text, norm_text, phones, phone_ids, pieces [{text, njd}]) and meta.json
(pyopenjtalk's version, the SHA-256 of the dictionary's files and of the user.dict pyopenjtalk compiled, which
gsv-edge's own compiling must reproduce byte for byte). Re-running it writes the same bytes.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "gpu-function", "test", "fixtures", "ja-userdic")
DICTIONARY_FILES = ["sys.dic", "unk.dic", "matrix.bin", "char.bin", "rewrite.def", "left-id.def", "right-id.def", "pos-id.def"]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Recorder:
    """Forwards to the genuine pyopenjtalk, keeping each piece japanese.py asked for and the words it got."""

    def __init__(self, genuine):
        self.genuine = genuine
        self.pieces = []

    def run_frontend(self, text):
        words = self.genuine.run_frontend(text)
        self.pieces.append({"text": text, "njd": words})
        return words

    def make_label(self, words):
        return self.genuine.make_label(words)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gpt-sovits-dir", required=True)
    args = parser.parse_args()

    import pyopenjtalk

    dic = pyopenjtalk.OPEN_JTALK_DICT_DIR.decode("utf-8")
    csv = os.path.join(OUT, "userdict.csv")
    with tempfile.TemporaryDirectory() as workdir:
        user_dict = os.path.join(workdir, "user.dict")
        # What japanese.py does at import when ja_userdic/userdict.csv exists.
        pyopenjtalk.mecab_dict_index(csv, user_dict)
        pyopenjtalk.update_global_jtalk_with_user_dict(user_dict)
        user_dict_sha256 = sha256(user_dict)
        user_dict_bytes = os.path.getsize(user_dict)

    recorder = Recorder(pyopenjtalk)
    module = types.ModuleType("pyopenjtalk")
    module.run_frontend = recorder.run_frontend
    module.make_label = recorder.make_label
    sys.modules["pyopenjtalk"] = module
    sys.path.insert(0, os.path.join(args.gpt_sovits_dir, "GPT_SoVITS"))
    from text import cleaned_text_to_sequence  # noqa: E402
    from text.cleaner import clean_text  # noqa: E402

    with open(os.path.join(OUT, "sentences.txt"), encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip() != "" and not line.startswith("#")]
    sentences = []
    for text in texts:
        recorder.pieces = []
        phones, _, norm_text = clean_text(text, "ja", "v2")
        ids = cleaned_text_to_sequence(phones, "v2")
        sentences.append({"text": text, "norm_text": norm_text, "phones": phones, "phone_ids": ids, "pieces": recorder.pieces})
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"sentences": sentences}, ensure_ascii=False, indent=1) + "\n")
    meta = {
        "pyopenjtalk": f"pyopenjtalk {pyopenjtalk.__version__}",
        "dictionary_sha256": {name: sha256(os.path.join(dic, name)) for name in DICTIONARY_FILES},
        "userdict_csv_sha256": sha256(csv),
        "user_dict_sha256": user_dict_sha256,
        "user_dict_bytes": user_dict_bytes,
        "gpt_sovits_japanese_py_sha256": sha256(os.path.join(args.gpt_sovits_dir, "GPT_SoVITS/text/japanese.py")),
        "sentences": len(sentences),
    }
    with open(os.path.join(OUT, "meta.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
