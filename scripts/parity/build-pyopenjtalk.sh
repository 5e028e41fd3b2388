#!/usr/bin/env bash
# Builds pyopenjtalk 0.4.1 from its public sources, without PyPI, for the Japanese parity fixture
# (gpu-function/test/fixtures/ja-g2p/, written by scripts/parity/python/make_ja_g2p_fixture.py).
#
# Usage:
#   scripts/parity/build-pyopenjtalk.sh PYOPENJTALK_SRC OPEN_JTALK_SRC HTS_ENGINE_SRC CYTHON_SRC OUT_DIR
#
#   PYOPENJTALK_SRC  r9y9/pyopenjtalk at tag v0.4.1 (its lib/ submodules may be empty)
#   OPEN_JTALK_SRC   r9y9/open_jtalk at the commit pyopenjtalk's lib/open_jtalk submodule pins (see below)
#   HTS_ENGINE_SRC   r9y9/hts_engine_API at the commit lib/hts_engine_API pins (214e26d)
#   CYTHON_SRC       cython/cython at a 3.0.x tag (used uncompiled, from PYTHONPATH: pyopenjtalk 0.4.1's .pyx
#                    files need Cython 3; Debian 12's Cython 0.29 cannot build them)
#   OUT_DIR          the build goes to OUT_DIR/work, the installed package to OUT_DIR/site
#
# Needs python3 with setuptools (>= 64) and numpy, cmake, gcc/g++ and the Python headers. Then:
#   PYTHONPATH=OUT_DIR/site OPEN_JTALK_DICT_DIR=/var/lib/mecab/dic/open-jtalk/naist-jdic \
#     python3 -c "import pyopenjtalk; print(pyopenjtalk.g2p('こんにちは'))"
# (OPEN_JTALK_DICT_DIR points at a compiled NAIST-JDIC, here Debian's open-jtalk-mecab-naist-jdic; without it
# pyopenjtalk would try to download its own dictionary.)
#
# Only what is unavoidable differs from `pip install pyopenjtalk==0.4.1`: setuptools_scm is not used (the version
# file it would write is written here as 0.4.1), the build runs without build isolation or pip, and mecab's
# config.h is generated before setup.py runs (below).
set -euo pipefail

if [ "$#" -ne 5 ]; then
  sed -n '2,22p' "$0" >&2
  exit 2
fi
PYOJT_SRC=$(realpath "$1")
OJT_SRC=$(realpath "$2")
HTS_SRC=$(realpath "$3")
CYTHON_SRC=$(realpath "$4")
OUT=$(realpath -m "$5")
PYTHON=${PYTHON:-python3}

for f in "$PYOJT_SRC/setup.py" "$PYOJT_SRC/pyopenjtalk/openjtalk.pyx" "$OJT_SRC/src/njd/njd.c" \
  "$HTS_SRC/src/lib/HTS_engine.c" "$CYTHON_SRC/Cython/__init__.py"; do
  [ -f "$f" ] || { echo "missing $f" >&2; exit 1; }
done

rm -rf "$OUT/work" "$OUT/site"
mkdir -p "$OUT/work" "$OUT/site"
cp -a "$PYOJT_SRC/." "$OUT/work/"
rm -rf "$OUT/work/lib/open_jtalk" "$OUT/work/lib/hts_engine_API"
mkdir -p "$OUT/work/lib"
# open_jtalk's src/mecab-naist-jdic (the dictionary sources) is not needed: the compiled dictionary comes from
# OPEN_JTALK_DICT_DIR at run time.
cp -a "$OJT_SRC" "$OUT/work/lib/open_jtalk"
cp -a "$HTS_SRC" "$OUT/work/lib/hts_engine_API"
rm -f "$OUT/work/lib/open_jtalk/src/mecab/src/config.h"
rm -rf "$OUT/work/lib/open_jtalk/src/build"
printf '\n__version__ = "0.4.1"\n' > "$OUT/work/pyopenjtalk/version.py"

cd "$OUT/work"
# setup.py runs a bare `cmake ..` in lib/open_jtalk/src/build only to write mecab's config.h, and skips it when
# config.h exists. The open_jtalk sources used here (see docs/frontend.md: the 1.11 branch with PR #9, as pinned
# by pyopenjtalk 0.4.0) make that cmake run fail unless an HTS_engine library is installed, although the frontend
# never links it; so config.h is written first the way pyopenjtalk's own setup.py did it between 0.4.0 and 0.4.1
# (commit ae1a729): cmake with a dummy HTS_engine path.
(mkdir -p lib/open_jtalk/src/build && cd lib/open_jtalk/src/build &&
  cmake .. -DHTS_ENGINE_INCLUDE_DIR=. -DHTS_ENGINE_LIB=dummy > cmake.log)
[ -f lib/open_jtalk/src/mecab/src/config.h ] || { echo "cmake did not write config.h" >&2; exit 1; }
export PYTHONPATH="$CYTHON_SRC${PYTHONPATH:+:$PYTHONPATH}"
"$PYTHON" -c 'import Cython; print("Cython", Cython.__version__, Cython.__file__)'
# setup.py cythonizes the two .pyx files and compiles the extensions.
# `setup.py build` rather than pip: pip would need the `wheel` package, which this build does not assume.
"$PYTHON" setup.py build --build-lib "$OUT/work/build/lib" --build-temp "$OUT/work/build/temp"
cp -a "$OUT/work/build/lib/pyopenjtalk" "$OUT/site/"
"$PYTHON" - "$OUT/site" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import pyopenjtalk
print("pyopenjtalk", pyopenjtalk.__version__, pyopenjtalk.__file__)
EOF
