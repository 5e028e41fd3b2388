"""Writes the Japanese NJD parity fixture (gpu-function/test/fixtures/ja-njd/) with the genuine pyopenjtalk:
`pyopenjtalk.run_frontend(text)` (OpenJTalk's text2mecab, MeCab, mecab2njd and NJD rules) for every sentence of the
MeCab fixture (gpu-function/test/fixtures/ja-mecab/expected.jsonl.gz: 624 ITA/ROHAN corpus sentences and the
project's edge cases) and for the project's own NJD cases (extra-cases.txt beside the output, one text per line:
numbers, dates, counters, decimals, phone numbers, half-width kana, Latin, questions; source `njd-extra/<line>`), so
the TypeScript NJD rules compare with it word for word and field for field.

Needs pyopenjtalk 0.4.1 (GPT-SoVITS's pin; scripts/parity/build-pyopenjtalk.sh on the ja-fixture branch builds it
from source) and an OpenJTalk NAIST-JDIC folder: the same one the MeCab fixture was made with (Debian's
open-jtalk-mecab-naist-jdic), named by OPEN_JTALK_DICT_DIR so pyopenjtalk does not download its own. Usage:

    OPEN_JTALK_DICT_DIR=/var/lib/mecab/dic/open-jtalk/naist-jdic python3 scripts/parity/make-ja-njd-fixtures.py

Output: expected.jsonl.gz, one line per sentence, `{"source", "text", "njd": [[string, pos, pos_group1,
pos_group2, pos_group3, ctype, cform, orig, read, pron, acc, mora_size, chain_rule, chain_flag], ...]}` (the
run_frontend fields in that order), and meta.json (pyopenjtalk version, dictionary SHA-256s). Re-running it writes
the same bytes.
"""

import gzip
import hashlib
import json
import os
import sys

import pyopenjtalk

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "gpu-function", "test", "fixtures", "ja-mecab", "expected.jsonl.gz")
OUT = os.path.join(ROOT, "gpu-function", "test", "fixtures", "ja-njd")
EXTRA = os.path.join(OUT, "extra-cases.txt")
FIELDS = ["string", "pos", "pos_group1", "pos_group2", "pos_group3", "ctype", "cform", "orig", "read", "pron",
          "acc", "mora_size", "chain_rule", "chain_flag"]
DICTIONARY_FILES = ["char.bin", "matrix.bin", "sys.dic", "unk.dic"]


def main() -> None:
    dictionary = os.environ.get("OPEN_JTALK_DICT_DIR")
    if not dictionary:
        sys.exit("set OPEN_JTALK_DICT_DIR to the NAIST-JDIC folder the MeCab fixture was made with")
    with gzip.open(SOURCE, "rt", encoding="utf-8") as source:
        sentences = [json.loads(line) for line in source if line.strip()]
    with open(EXTRA, encoding="utf-8") as extra:
        sentences += [{"source": f"njd-extra/{number}", "text": line.rstrip("\n")}
                      for number, line in enumerate(extra, start=1) if line.rstrip("\n") != ""]
    lines = []
    for sentence in sentences:
        words = pyopenjtalk.run_frontend(sentence["text"])
        njd = [[word[field] for field in FIELDS] for word in words]
        lines.append(json.dumps({"source": sentence["source"], "text": sentence["text"], "njd": njd},
                                ensure_ascii=False, separators=(",", ":")))
    os.makedirs(OUT, exist_ok=True)
    body = ("\n".join(lines) + "\n").encode("utf-8")
    with open(os.path.join(OUT, "expected.jsonl.gz"), "wb") as out:
        # mtime 0 and no file name keep the gzip bytes reproducible.
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as compressed:
            compressed.write(body)
    meta = {
        "generator": "scripts/parity/make-ja-njd-fixtures.py",
        "calls": "pyopenjtalk.run_frontend(text)",
        "pyopenjtalk": getattr(pyopenjtalk, "__version__", "unknown"),
        "python": sys.version.split()[0],
        "sentences": len(lines),
        "dictionary": {name: hashlib.sha256(open(os.path.join(dictionary, name), "rb").read()).hexdigest()
                       for name in DICTIONARY_FILES},
    }
    with open(os.path.join(OUT, "meta.json"), "w", encoding="utf-8") as out:
        json.dump(meta, out, ensure_ascii=False, indent=2)
        out.write("\n")
    print(f"wrote {len(lines)} sentences to {OUT}")


if __name__ == "__main__":
    main()
