"""Writes the Japanese g2p parity fixture (gpu-function/test/fixtures/ja-g2p/) with GPT-SoVITS's own code:
`text/cleaner.py clean_text(text, 'ja', 'v2')` (which runs `GPT_SoVITS/text/japanese.py`) and
`text/__init__.py cleaned_text_to_sequence(phones, 'v2')`, over the genuine pyopenjtalk it imports, plus that
pyopenjtalk's intermediate stages on exactly the pieces japanese.py hands it.

It builds nothing. It needs:
  - a GPT-SoVITS checkout or export (its GPT_SoVITS/text package is imported as GPT-SoVITS imports it: `text`, with
    GPT_SoVITS/ on sys.path). No shims are needed: for 'ja' and 'v2', cleaner.py imports only text/__init__.py,
    text/symbols.py, text/symbols2.py and text/japanese.py, and those import only the standard library, pyopenjtalk
    and each other (cleaner.py imports the other languages' modules lazily, by name, for their language only);
  - pyopenjtalk on the path (scripts/parity/build-pyopenjtalk.sh builds 0.4.1 from its sources) and
    OPEN_JTALK_DICT_DIR naming a compiled OpenJTalk NAIST-JDIC (Debian's open-jtalk-mecab-naist-jdic:
    /var/lib/mecab/dic/open-jtalk/naist-jdic);
  - the sentences: the ja-mecab fixture folder (its expected.jsonl.gz gives the ITA and ROHAN sentences with their
    sources, its meta.json their commits and licences, its edge-cases.txt the edge cases) and a checkout or export
    of ku-nlp/WikipediaAnnotatedCorpus (Japanese Wikipedia sentences, CC BY-SA 4.0: its id/test.id and the raw
    org/ files), from whose test documents every main sentence (not a bracketed aside the corpus split off, marked
    括弧始) holding an ASCII or full-width digit or Latin letter is taken, in document and sentence order.

Usage:

    PYTHONPATH=/tmp/ja-build/site OPEN_JTALK_DICT_DIR=/var/lib/mecab/dic/open-jtalk/naist-jdic \\
      python3 scripts/parity/python/make_ja_g2p_fixture.py --gpt-sovits /tmp/gsv --gpt-sovits-commit SHA \\
        --ja-mecab gpu-function/test/fixtures/ja-mecab --wikipedia WikipediaAnnotatedCorpus --wikipedia-commit SHA \\
        --out gpu-function/test/fixtures/ja-g2p [--pyopenjtalk-note TEXT] [--user-dictionary-note TEXT]

Per sentence, one JSON line (see the fixture's README.md): the cleaner's result (norm_text, phones, word2ph, which
is None for Japanese), the v2 ids, how japanese.py split the text (`split`: re.split on its `_japanese_marks` of
the lower-cased text, and the marks) and, for each piece it passed to `pyopenjtalk_g2p_prosody`, that function's
output and pyopenjtalk's `run_frontend(piece)` (the NJD words, as arrays in meta.json's `njd_fields` order) and
`make_label(njd)` (the full-context labels, checked equal to `extract_fullcontext(piece)`; stored as
`label_phonemes` + `label_contexts`, a lossless encoding that keeps the fixture small: see encode_labels). The
pieces are recorded by wrapping japanese.py's `pyopenjtalk_g2p_prosody` while clean_text runs, not re-derived. An
exception from clean_text is recorded (`error`) instead of phones. Re-running it writes the same bytes (gzip with
mtime 0).
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import re
import sys

SOURCES_KEPT_FROM_JA_MECAB = ("ITA/", "ROHAN/")
NJD_KEYS = (
    "string", "pos", "pos_group1", "pos_group2", "pos_group3", "ctype", "cform",
    "orig", "read", "pron", "acc", "mora_size", "chain_rule", "chain_flag",
)
WIKIPEDIA_PATTERN = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ]")
# A full-context label: p1^p2-p3+p4=p5 then eleven sections /A: ... /K: (OpenJTalk's jpcommon_label.c format).
LABEL = re.compile(r"^([^\^]+)\^([^-]+)-([^+]+)\+([^=]+)=([^/]+)(/A:.*)$")
SECTION = re.compile(r"(?=/[A-K]:)")
SECTION_TAGS = "ABCDEFGHIJK"


def encode_labels(labels):
    """A piece's labels, losslessly and compactly: each label's current phoneme (p3), and its context as only the
    sections (/A:.../K:...) that differ from the previous label's, the first label keeping all eleven. p1, p2, p4
    and p5 are the neighbouring labels' p3 ("xx" past either end). Checked by decoding."""
    phonemes, contexts, previous = [], [], None
    for label in labels:
        m = LABEL.match(label)
        if m is None:
            raise RuntimeError(f"unexpected label {label!r}")
        sections = SECTION.split(m.group(6))[1:]
        if [x[1] for x in sections] != list(SECTION_TAGS) or any("/" in x[3:] for x in sections):
            raise RuntimeError(f"unexpected label sections {label!r}")
        phonemes.append(m.group(3))
        contexts.append("".join(x for i, x in enumerate(sections) if previous is None or previous[i] != x))
        previous = sections
    if decode_labels(phonemes, contexts) != labels:
        raise RuntimeError(f"label encoding does not round-trip: {labels}")
    return phonemes, contexts


def decode_labels(phonemes, contexts):
    padded = ["xx", "xx"] + phonemes + ["xx", "xx"]
    labels, current = [], {}
    for i, (p3, context) in enumerate(zip(phonemes, contexts)):
        current = current | {x[1]: x for x in SECTION.split(context)[1:]}
        labels.append(f"{padded[i]}^{padded[i + 1]}-{p3}+{padded[i + 3]}={padded[i + 4]}"
                      + "".join(current[t] for t in SECTION_TAGS))
    return labels


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def unescape_edge(line):
    """edge-cases.txt's escapes: \\t and \\u{HEX} (as scripts/parity/make-ja-mecab-fixtures.ts reads them)."""
    line = line.replace("\\t", "\t")
    return re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), line)


def read_sentences(args):
    with gzip.open(os.path.join(args.ja_mecab, "expected.jsonl.gz"), "rt", encoding="utf-8") as f:
        mecab_lines = [json.loads(line) for line in f if line.strip()]
    corpus = [
        {"source": r["source"], "text": r["text"]}
        for r in mecab_lines
        if r["source"].startswith(SOURCES_KEPT_FROM_JA_MECAB)
    ]
    wikipedia = []
    with open(os.path.join(args.wikipedia, "id", "test.id"), encoding="utf-8") as f:
        doc_ids = f.read().split()
    for doc_id in doc_ids:
        # org/wiki0008/wiki00080680.org: "# S-ID:<id> <attributes...>" then the sentence, per sentence.
        path = os.path.join(args.wikipedia, "org", doc_id[:8], doc_id + ".org")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines[-1] == "":
            lines.pop()
        if len(lines) % 2 != 0:
            raise RuntimeError(f"{path}: odd line count")
        for header, text in zip(lines[0::2], lines[1::2]):
            if not header.startswith("# S-ID:"):
                raise RuntimeError(f"{path}: unexpected header {header!r}")
            if any(attribute.startswith("括弧始") for attribute in header.split()[2:]):
                continue
            if WIKIPEDIA_PATTERN.search(text):
                wikipedia.append({"source": f"WIKI/{header.split()[1][len('S-ID:'):]}", "text": text})
    with open(os.path.join(args.ja_mecab, "edge-cases.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    edge = [
        {"source": f"edge/{i + 1}", "text": unescape_edge(line)}
        for i, line in enumerate(line for line in lines if line != "" and not line.startswith("#"))
    ]
    return corpus, wikipedia, edge


def import_gpt_sovits(root):
    sys.path.insert(0, os.path.join(root, "GPT_SoVITS"))
    from text import cleaned_text_to_sequence, cleaner, japanese, symbols2  # noqa: E402

    return cleaned_text_to_sequence, cleaner, japanese, symbols2


def njd_words(njd):
    """run_frontend's word dicts as arrays in NJD_KEYS order (meta.json's njd_fields)."""
    words = []
    for node in njd:
        if tuple(node.keys()) != NJD_KEYS:
            raise RuntimeError(f"unexpected NJD keys {tuple(node.keys())}")
        words.append([node[k] for k in NJD_KEYS])
    return words


def record(sentence, gsv, pyopenjtalk):
    cleaned_text_to_sequence, cleaner, japanese, symbols2 = gsv
    text = sentence["text"]
    calls = []
    original = japanese.pyopenjtalk_g2p_prosody

    def recording(piece, *a, **kw):
        out = original(piece, *a, **kw)
        calls.append((piece, list(out)))
        return out

    out = {"source": sentence["source"], "text": text}
    japanese.pyopenjtalk_g2p_prosody = recording
    try:
        phones, word2ph, norm_text = cleaner.clean_text(text, "ja", "v2")
        out.update(norm_text=norm_text, phones=phones, word2ph=word2ph)
        out["phone_ids"] = cleaned_text_to_sequence(phones, "v2")
    except Exception as e:  # recorded, as the fixture's contract
        out["error"] = f"{type(e).__name__}: {e}"
    finally:
        japanese.pyopenjtalk_g2p_prosody = original

    # How preprocess_jap splits (its own regexes, on the text it splits: clean_text's norm_text after
    # symbols_to_japanese and lower()).
    norm = japanese.text_normalize(text)
    lowered = japanese.symbols_to_japanese(norm).lower()
    out["split"] = {
        "pieces": re.split(japanese._japanese_marks, lowered),
        "marks": re.findall(japanese._japanese_marks, lowered),
    }
    expected_pieces = [p for p in out["split"]["pieces"] if re.match(japanese._japanese_characters, p)]
    if "error" not in out and [c[0] for c in calls] != expected_pieces:
        raise RuntimeError(f"{sentence['source']}: recorded pieces {calls} differ from the split {expected_pieces}")

    pieces = []
    # On an error, the pieces before it were recorded; the failing piece is the next one of the split.
    piece_texts = [c[0] for c in calls]
    if "error" in out and len(piece_texts) < len(expected_pieces):
        piece_texts.append(expected_pieces[len(piece_texts)])
    for i, piece in enumerate(piece_texts):
        njd = pyopenjtalk.run_frontend(piece)
        labels = pyopenjtalk.make_label(njd)
        if labels != pyopenjtalk.extract_fullcontext(piece):
            raise RuntimeError(f"{sentence['source']}: make_label(run_frontend) != extract_fullcontext for {piece!r}")
        phonemes, contexts = encode_labels(labels)
        entry = {"text": piece, "njd": njd_words(njd), "label_phonemes": phonemes, "label_contexts": contexts}
        if i < len(calls):
            entry["prosody"] = calls[i][1]
        else:
            entry["prosody_error"] = out["error"]
        pieces.append(entry)
    out["pieces"] = pieces
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gpt-sovits", required=True)
    parser.add_argument("--gpt-sovits-commit", required=True)
    parser.add_argument("--ja-mecab", required=True)
    parser.add_argument("--wikipedia", required=True, help="ku-nlp/WikipediaAnnotatedCorpus checkout (id/, org/)")
    parser.add_argument("--wikipedia-commit", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--pyopenjtalk-note", default="")
    parser.add_argument("--user-dictionary-note", default="",
                        help="added to meta.json's user-dictionary entry (e.g. why the checkout lacks it)")
    args = parser.parse_args()

    dic = os.environ.get("OPEN_JTALK_DICT_DIR")
    if not dic:
        sys.exit("set OPEN_JTALK_DICT_DIR to a compiled OpenJTalk NAIST-JDIC (or pyopenjtalk downloads one)")
    import pyopenjtalk

    gsv = import_gpt_sovits(args.gpt_sovits)
    japanese = gsv[2]
    userdic_csv = os.path.join(args.gpt_sovits, "GPT_SoVITS", "text", "ja_userdic", "userdict.csv")
    userdic_present = os.path.exists(userdic_csv)

    corpus, wikipedia, edge = read_sentences(args)
    rows = [record(s, gsv, pyopenjtalk) for s in corpus + wikipedia + edge]

    os.makedirs(args.out, exist_ok=True)
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
    with open(os.path.join(args.out, "expected.jsonl.gz"), "wb") as f:
        f.write(raw.getvalue())

    with open(os.path.join(args.ja_mecab, "meta.json"), encoding="utf-8") as f:
        mecab_meta = json.load(f)
    errors = [r["source"] for r in rows if "error" in r]
    symbols = gsv[3].symbols
    meta = {
        "generator": "scripts/parity/python/make_ja_g2p_fixture.py",
        "gpt_sovits": {
            "repository": "RVC-Boss/GPT-SoVITS",
            "commit": args.gpt_sovits_commit,
            "calls": "text.cleaner.clean_text(text, 'ja', 'v2'); text.cleaned_text_to_sequence(phones, 'v2')",
            "japanese_py_sha256": sha256(os.path.join(args.gpt_sovits, "GPT_SoVITS", "text", "japanese.py")),
            "symbols_v2_count": len(symbols),
            "symbols_v2_sha256": hashlib.sha256("\n".join(symbols).encode("utf-8")).hexdigest(),
            "user_dictionary": {
                "applied": userdic_present,
                "detail": (
                    "GPT_SoVITS/text/ja_userdic/userdict.csv was present: japanese.py compiled and loaded it"
                    if userdic_present else
                    "GPT_SoVITS/text/ja_userdic/userdict.csv is absent from the checkout used, so japanese.py "
                    "compiled and loaded no user dictionary (pyopenjtalk.update_global_jtalk_with_user_dict was "
                    "never called)"
                ),
                "note": args.user_dictionary_note,
            },
        },
        "pyopenjtalk": {
            "version": pyopenjtalk.__version__,
            "build": args.pyopenjtalk_note,
        },
        "python": platform.python_version(),
        "dictionary": {
            "path": dic,
            "package": "Debian open-jtalk-mecab-naist-jdic (NAIST-JDIC as OpenJTalk 1.11 compiles it)",
            "sha256": {name: sha256(os.path.join(dic, name)) for name in sorted(os.listdir(dic))
                       if os.path.isfile(os.path.join(dic, name))},
        },
        "counts": {
            "sentences": len(rows),
            "corpus": len(corpus) + len(wikipedia),
            "ITA": sum(1 for s in corpus if s["source"].startswith("ITA/")),
            "ROHAN": sum(1 for s in corpus if s["source"].startswith("ROHAN/")),
            "WIKI": len(wikipedia),
            "edge": len(edge),
            "pieces": sum(len(r["pieces"]) for r in rows),
            "njd_words": sum(len(p["njd"]) for r in rows for p in r["pieces"]),
            "labels": sum(len(p["label_phonemes"]) for r in rows for p in r["pieces"]),
            "phones": sum(len(r.get("phones") or []) for r in rows),
            "errors": len(errors),
        },
        "errors": errors,
        "sources": {
            "ITA": mecab_meta["sources"]["ITA"] | {"via": "gpu-function/test/fixtures/ja-mecab/expected.jsonl.gz"},
            "ROHAN": mecab_meta["sources"]["ROHAN"] | {"via": "gpu-function/test/fixtures/ja-mecab/expected.jsonl.gz"},
            "WIKI": {
                "repository": "ku-nlp/WikipediaAnnotatedCorpus",
                "commit": args.wikipedia_commit,
                "files": "id/test.id, org/*/<id>.org",
                "licence": "CC BY-SA 4.0 (the corpus; its text is from Japanese Wikipedia, CC BY-SA)",
                "attribution": "Wikipedia Annotated Corpus, Kyoto University Language Media Processing Lab "
                               "(Nobuhiro Ueda et al.), from Japanese Wikipedia articles and their contributors",
                "selection": "every main sentence (not a bracketed aside marked 括弧始) of the test documents "
                             "holding an ASCII or full-width digit or Latin letter, in order, as the corpus "
                             "writes it (brackets removed, spaces as U+3000); source = WIKI/<S-ID>",
                "sentences": len(wikipedia),
            },
            "edge": {
                "file": "gpu-function/test/fixtures/ja-mecab/edge-cases.txt",
                "written": "for gsv-edge (not counted as corpus)",
                "sentences": len(edge),
            },
        },
        "njd_fields": list(NJD_KEYS),
        "label_encoding": " ".join(encode_labels.__doc__.split()),
        "japanese_py_regexes": {
            "_japanese_characters": japanese._japanese_characters.pattern,
            "_japanese_marks": japanese._japanese_marks.pattern,
        },
    }
    with open(os.path.join(args.out, "meta.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    print(f"{len(rows)} sentences ({meta['counts']}) -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
