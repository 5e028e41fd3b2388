"""Writes the Japanese labels/phones parity fixture's own cases (gpu-function/test/fixtures/ja-labels/) with the genuine
code: GPT-SoVITS's own `clean_text(text, 'ja', 'v2')` (GPT_SoVITS/text/japanese.py and cleaner.py, imported from a
GPT-SoVITS checkout) over pyopenjtalk, recording every `run_frontend(piece)` japanese.py makes (NJD's words after
every NJD rule) and the `make_label(words)` that follows (JPCommon's full-context labels).

The corpus sentences (ITA, ROHAN, Wikipedia) are in the ja-g2p fixture (scripts/parity/python/make_ja_g2p_fixture.py),
which records the same stages; this script writes only what that fixture lacks: edge.jsonl.gz, the sentences of
edge-cases.txt beside it (written for gsv-edge: questions, pauses, ％, brackets, a lone comma...), and
synthetic.jsonl.gz, NJD words no sentence reaches (pauses and long vowels opening words, chains across pauses,
unknown categories, the label format's limits), with make_label's labels and pyopenjtalk_g2p_prosody's phones.

pyopenjtalk is the genuine one when it imports (pyopenjtalk 0.4.1, e.g. built from source by
scripts/parity/build-pyopenjtalk.sh; set OPEN_JTALK_DICT_DIR). With --open-jtalk-command it is stood in for by
Debian's OpenJTalk 1.11 command (`open_jtalk -ot`, whose trace holds the same two stages; JPCommon and njd2jpcommon
are identical in both, only NJD's rules differ where r9y9's fork changed them), and only edge.jsonl.gz is written.

    PYTHONPATH=<pyopenjtalk site> OPEN_JTALK_DICT_DIR=/var/lib/mecab/dic/open-jtalk/naist-jdic \
      python scripts/parity/make-ja-labels-fixtures.py --gpt-sovits-dir /path/to/GPT-SoVITS
    python scripts/parity/make-ja-labels-fixtures.py --gpt-sovits-dir ... --open-jtalk-command   # Debian's open-jtalk

The OpenJTalk command insists on a voice; any HTS voice does (pyopenjtalk's mei_normal.htsvoice from its
repository under GSV_EDGE_MIRRORS, default /work/.mirror: only the text analysis is kept). edge.jsonl.gz, one JSON
line per sentence: `source`, `text`, `norm_text`, `phones` (clean_text's, UNK included), `phone_ids` (v2 table)
and `pieces`: per run_frontend call, the piece, its NJD words (run_frontend's keys) and its labels. Re-running it
writes the same bytes.
"""

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "gpu-function", "test", "fixtures", "ja-labels")
MIRRORS = os.environ.get("GSV_EDGE_MIRRORS", "/work/.mirror")
NJD_KEYS = ["string", "pos", "pos_group1", "pos_group2", "pos_group3", "ctype", "cform", "orig", "read", "pron"]


def git_show(repo, path):
    git_dir = os.path.join(MIRRORS, repo, "repo")
    commit = subprocess.check_output(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], text=True).strip()
    data = subprocess.check_output(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"])
    return data, commit


def parse_trace(trace):
    """NJD words (NJD_fprint's `string,pos,...,pron,acc/mora_size,chain_rule,chain_flag`) and the labels."""
    analysis, _, rest = trace.partition("[Output label]")
    words = []
    for line in analysis.split("\n")[1:]:
        if line.strip() == "":
            continue
        fields = line.split(",")
        if len(fields) != 13:
            raise ValueError(f"unexpected NJD line: {line!r}")
        acc, mora_size = fields[10].split("/")
        word = dict(zip(NJD_KEYS, fields[:10]))
        word.update(acc=int(acc), mora_size=int(mora_size), chain_rule=fields[11], chain_flag=int(fields[12]))
        words.append(word)
    labels = []
    for line in rest.partition("[Global parameter]")[0].split("\n"):
        if line.strip() != "":
            labels.append(line.split(" ")[2])
    return words, labels


class Recorder:
    """Wraps the genuine pyopenjtalk, keeping what japanese.py asked and got."""

    def __init__(self, genuine):
        self.genuine = genuine
        self.pieces = []

    def run_frontend(self, text):
        words = self.genuine.run_frontend(text)
        self.pieces.append({"text": text, "njd": words, "labels": None})
        return words

    def make_label(self, words):
        labels = self.genuine.make_label(words)
        self.pieces[-1]["labels"] = labels
        return labels


class OpenJTalkStandIn:
    def __init__(self, dic, voice, workdir):
        self.dic, self.voice, self.workdir = dic, voice, workdir
        self.labels_by_words = {}
        self.pieces = []

    def run_frontend(self, text):
        source = os.path.join(self.workdir, "in.txt")
        trace = os.path.join(self.workdir, "trace.txt")
        with open(source, "w", encoding="utf-8") as f:
            f.write(text)
        if os.path.exists(trace):
            os.remove(trace)
        subprocess.run(
            ["open_jtalk", "-x", self.dic, "-m", self.voice, "-ot", trace, "-ow", os.devnull, source],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        with open(trace, encoding="utf-8") as f:
            words, labels = parse_trace(f.read())
        self.labels_by_words[json.dumps(words, ensure_ascii=False)] = labels
        self.pieces.append({"text": text, "njd": words, "labels": labels})
        return words

    def make_label(self, words):
        return list(self.labels_by_words[json.dumps(words, ensure_ascii=False)])


def sentences(edge_cases):
    out = []
    with open(edge_cases, encoding="utf-8") as f:
        for index, line in enumerate(f.read().split("\n")):
            if line.startswith("#") or line == "":
                continue
            out.append({"source": f"edge/{index}", "text": line})
    return out


def word(pron, pos="名詞,一般,*,*", ctype="*", cform="*", acc=0, chain=0):
    """An NJD word as run_frontend returns it; only what make_label reads matters (pron, POS, ctype, cform, acc, chain flag)."""
    groups = pos.split(",")
    return {
        "string": pron, "pos": groups[0], "pos_group1": groups[1], "pos_group2": groups[2], "pos_group3": groups[3],
        "ctype": ctype, "cform": cform, "orig": pron, "read": pron, "pron": pron,
        "acc": acc, "mora_size": 0, "chain_rule": "*", "chain_flag": chain,
    }


PAUSE = word("、", pos="記号,読点,*,*")
QUESTION = word("？", pos="記号,一般,*,*")

# Words no sentence reaches but JPCommon must handle as OpenJTalk does (written for gsv-edge).
SYNTHETIC = [
    ("chained across a pause", [word("アカ", acc=1), PAUSE, word("イイ", chain=1), word("ウエ", acc=2)]),
    ("long vowel opening a word", [word("カ", acc=1), word("ーー"), word("キ", chain=0)]),
    ("long vowel opening the utterance", [word("ーカ"), word("キ")]),
    ("long vowel after a pause", [word("カ"), PAUSE, word("ーキ")]),
    ("long vowel after N and cl", [word("ンーッー", acc=1), word("カ")]),
    ("question after a pause", [word("カ", acc=1), PAUSE, QUESTION, word("キ")]),
    ("question opening the utterance", [QUESTION, word("カ")]),
    ("pause opening the utterance", [PAUSE, PAUSE, word("カキ", acc=2)]),
    ("two pauses", [word("カ"), PAUSE, PAUSE, word("キ")]),
    ("unvoiced mark opening a word", [word("カ"), word("’キ’"), word("ン’ス’")]),
    ("unknown character mid word", [word("カＸキ"), word("ク")]),
    ("unknown character opening a word", [word("カ"), word("Ｘキ"), word("ク", chain=1)]),
    ("chained first word", [word("カ", chain=1, acc=1), word("キ", chain=1)]),
    ("quirky morae", [word("ヴャヂャヅィクヮグヮヶ"), word("ウォイェスィズィトゥドゥ")]),
    ("accent beyond the phrase", [word("カキ", acc=5), word("ク", acc=3)]),
    (
        "codes",
        [
            word("カ", pos="名詞,固有名詞,人名,*"),
            word("キ", pos="動詞,自立,*,*", ctype="五段・カ行", cform="連用形"),
            word("ク", pos="フィラー,*,*,*", ctype="サ変・\u2212スル", cform="命令ｒｏ"),
            word("ケ", pos="名詞,非自立,*,*", ctype="一段・得ル", cform="未定義"),
            word("コ", pos="記号,一般,*,*"),
        ],
    ),
    ("limits: a long accent phrase", [word("カキクケコ" * 12, acc=3)]),
    ("limits: a long breath group and utterance", [word("カキクケコ" * 5) for _ in range(45)]),
    ("limits: many breath groups", [w for _ in range(22) for w in (word("カキ", acc=1), PAUSE)] + [word("ク")]),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gpt-sovits-dir", required=True)
    parser.add_argument("--dic", default="/var/lib/mecab/dic/open-jtalk/naist-jdic", help="for --open-jtalk-command")
    parser.add_argument("--voice", default=None)
    parser.add_argument("--open-jtalk-command", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        if args.open_jtalk_command:
            voice = args.voice
            if voice is None:
                voice = os.path.join(workdir, "mei_normal.htsvoice")
                data, _ = git_show("r9y9+pyopenjtalk", "pyopenjtalk/htsvoice/mei_normal.htsvoice")
                with open(voice, "wb") as f:
                    f.write(data)
            stand_in = OpenJTalkStandIn(args.dic, voice, workdir)
            dic = args.dic
            source = "Debian open-jtalk " + subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "open-jtalk"], capture_output=True, text=True).stdout
        else:
            import pyopenjtalk

            stand_in = Recorder(pyopenjtalk)
            dic = pyopenjtalk.OPEN_JTALK_DICT_DIR.decode("utf-8")
            source = f"pyopenjtalk {pyopenjtalk.__version__}"
        module = types.ModuleType("pyopenjtalk")
        module.run_frontend = stand_in.run_frontend
        module.make_label = stand_in.make_label
        sys.modules["pyopenjtalk"] = module
        sys.path.insert(0, os.path.join(args.gpt_sovits_dir, "GPT_SoVITS"))
        from text import cleaned_text_to_sequence  # noqa: E402
        from text.cleaner import clean_text  # noqa: E402

        rows = sentences(os.path.join(OUT, "edge-cases.txt"))
        lines = []
        for row in rows:
            stand_in.pieces = []
            phones, _, norm_text = clean_text(row["text"], "ja", "v2")
            ids = cleaned_text_to_sequence(phones, "v2")
            lines.append(json.dumps({**row, "norm_text": norm_text, "phones": phones, "phone_ids": ids, "pieces": stand_in.pieces}, ensure_ascii=False))
        with open(os.path.join(OUT, "edge.jsonl.gz"), "wb") as f:
            with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
                z.write(("\n".join(lines) + "\n").encode("utf-8"))
        if not args.open_jtalk_command:
            from text.japanese import pyopenjtalk_g2p_prosody  # noqa: E402

            synthetic = []
            module.make_label = stand_in.genuine.make_label
            for name, words in SYNTHETIC:
                module.run_frontend = lambda _text, words=words: words
                prosody = pyopenjtalk_g2p_prosody("*")
                synthetic.append(json.dumps({"name": name, "njd": words, "labels": stand_in.genuine.make_label(words), "prosody": prosody}, ensure_ascii=False))
            with open(os.path.join(OUT, "synthetic.jsonl.gz"), "wb") as f:
                with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
                    z.write(("\n".join(synthetic) + "\n").encode("utf-8"))
        meta = {
            "pyopenjtalk": source,
            "dictionary_sys_dic_sha256": hashlib.sha256(open(os.path.join(dic, "sys.dic"), "rb").read()).hexdigest(),
            "gpt_sovits_japanese_py_sha256": hashlib.sha256(open(os.path.join(args.gpt_sovits_dir, "GPT_SoVITS/text/japanese.py"), "rb").read()).hexdigest(),
            "sentences": len(rows),
        }
        with open(os.path.join(OUT, "meta.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
