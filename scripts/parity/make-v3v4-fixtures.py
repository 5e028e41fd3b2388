"""Writes the SoVITS v4 / v3 (CFM + DiT + vocoder) parity fixtures into gpu-function/test/fixtures/v3v4/ with
GPT-SoVITS's own code.

What runs is GPT-SoVITS's code, unmodified:
- `module/models.py` (SynthesizerTrnV3: decode_encp, extract_latent; CFM.inference; the v4 vocoder `Generator`),
  `f5_tts/model/backbones/dit.py` + `f5_tts/model/modules.py` (the DiT), `module/mel_processing.py`,
  `BigVGAN/bigvgan.py` (the v3 vocoder);
- `process_ckpt.py` (savee / my_save / my_save2 write the checkpoints, load_sovits_new and
  get_sovits_version_from_path_fast read them);
- from `TTS_infer_pack/TTS.py`: norm_spec, denorm_spec, mel_fn, mel_fn_v4 and the methods TTS.init_vits_weights
  (version detection, LoRA merge with peft), TTS.init_vocoder, TTS.using_vocoder_synthesis,
  TTS.using_vocoder_synthesis_batched_infer and TTS.sola_algorithm. TTS.py itself cannot be imported without its
  whole frontend (torchaudio, ffmpeg, jieba, BERT, HuBERT, AP_BWE ...), so these definitions are taken out of
  TTS.py's syntax tree and compiled from its own source text (file name and line numbers kept) in a namespace that
  provides the names they use. `resample` (torchaudio) is stubbed (every reference waveform is given at the rate the
  code wants, so it is never called); the other shims (i18n, configs, BigVGAN.from_pretrained's hub keywords) are
  listed in the fixtures' README.
- x_transformers (RotaryEmbedding, apply_rotary_pos_emb) is imported from a checkout given on the command line.

The micro models override GPT-SoVITS's hard-coded widths (SSL dim 768, inter_channels2 512, DiT 1024x22, MRTE,
MelStyleEncoder, vocoder upsample_initial_channel) by swapping the constructors that models.py / TTS.py look up,
only while a model is being built; see MICRO_* below and the README.

Needs PyTorch, numpy, librosa, peft, huggingface_hub (BigVGAN's mixin) and x_transformers' own dependencies (einops,
einx, loguru, packaging, torch_einops_utils). Usage:

    python scripts/parity/make-v3v4-fixtures.py GPT-SoVITS x-transformers gpu-function/test/fixtures/v3v4 \
        [--commit SHA] [--x-transformers-commit SHA]

GPT-SoVITS is a checkout or export holding GPT_SoVITS/ and tools/ (process_ckpt imports tools.i18n); x-transformers
is a checkout holding the x_transformers package. Deterministic: re-running it writes byte-identical files (one CPU
thread, fixed seeds, a fixed time stamp for my_save's temporary file name).
"""

import argparse
import ast
import contextlib
import copy
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
import typing

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20250423
# process_ckpt.my_save names its temporary file, and so the zip's folder, after time(). A fixed value per version keeps
# reruns byte-identical; the two differ, as real saves would, so that the two base files' first 8192 bytes (which
# get_sovits_version_from_path_fast hashes) differ too.
FIXED_SAVE_TIME = {"v4": 1745400000.0, "v3": 1745300000.0}

# ---------------------------------------------------------------------------------------------------------------------
# Micro model. Config values (what a training run stores in hps.model) that are shrunk:
MICRO_MODEL_CONFIG = dict(inter_channels=16, hidden_channels=16, filter_channels=64, n_layers=2, gin_channels=48)
REAL_MODEL_CONFIG = dict(inter_channels=192, hidden_channels=192, filter_channels=768, n_layers=6, gin_channels=512)
# Hard-coded widths in module/models.py. SynthesizerTrnV3 uses literal 768 (ssl_dim: ssl_proj, the codebook dimension
# and TextEncoder.ssl_proj's input) and literal 512 (inter_channels2: bridge output, wns1 width, linear_mel input,
# DiT text_dim). While a micro model is built, these literals are mapped in the constructors models.py calls.
MICRO_WIDTH_MAP = {768: 16, 512: 24}
# wns1 = Encoder(512, 512, 512, 5, 1, 8, gin_channels=gin): its 8 WN layers are cut to 3.
MICRO_WNS1_LAYERS = 3
MICRO_MRTE = dict(content_enc_channels=16, hidden_size=48, out_channels=16)  # real MRTE() defaults 192, 512, 192
MICRO_STYLE_HIDDEN = 16  # real MelStyleEncoder style_hidden default 128
# DiT(**dict(dim=1024, depth=22, heads=16, ff_mult=2, text_dim=512, conv_layers=4)) in SynthesizerTrnV3, dim_head
# default 64 (16 x 64 = 1024 = dim: rotary only reaches head 0). The micro keeps inner = heads x dim_head = dim and
# rotary on head 0 only.
MICRO_DIT = dict(dim=32, depth=2, heads=2, dim_head=16, ff_mult=2, conv_layers=2)
REAL_DIT = dict(dim=1024, depth=22, heads=16, dim_head=64, ff_mult=2, text_dim=512, conv_layers=4)
# TTS.init_vocoder builds Generator(..., upsample_initial_channel=512, ...) for v4.
MICRO_V4_VOCODER_CHANNEL = 32
# BigVGAN bigvgan_v2_24khz_100band_256x: the generator-relevant part of its config.json with upsample_initial_channel
# 1536 shrunk to 64 (the last stage then has 1 channel) and the resblock kernels [3, 7, 11] cut to [3, 7] (two AMP
# blocks per stage still averaged), which keeps the checkpoint near 0.6 MB.
BIGVGAN_MICRO_CONFIG = {
    "resblock": "1",
    "upsample_rates": [4, 4, 2, 2, 2, 2],
    "upsample_kernel_sizes": [8, 8, 4, 4, 4, 4],
    "upsample_initial_channel": 64,
    "resblock_kernel_sizes": [3, 7],
    "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5]],
    "use_tanh_at_final": False,
    "use_bias_at_final": False,
    "activation": "snakebeta",
    "snake_logscale": True,
    "num_mels": 100,
    "n_fft": 1024,
    "hop_size": 256,
    "win_size": 1024,
    "sampling_rate": 24000,
    "fmin": 0,
    "fmax": None,
}
LORA_RANK = "16"  # the webui's radio value (a string in the config); savee stores int(...) as "lora_rank"

# ---------------------------------------------------------------------------------------------------------------------
# Inputs.
REF_SECONDS = 0.5
PROMPT_PHONES = "n i2 h ao3 , w o3 sh ir4 .".split()
TARGET_PHONES = "j in1 t ian1 t ian1 q i4 h en3 h ao3".split()
TARGET_B_PHONES = "x ie4 x ie5 ! .".split()
SSL_FRAMES = 29  # odd: the k=2/s=2 ssl_proj drops the last frame -> 14 prompt codes
N_TARGET = 10
N_TARGET_B = 7
# using_vocoder_synthesis_batched_infer(idx_list, ...) takes semantic_tokens_list[i][-idx:]: the last 6 tokens of
# target_codes (item A) and the last 4 of target_b_codes (item B).
BATCH_IDX = (6, 4)
CFM_STEPS = 8
PIPELINE_STEPS = 4
# Micro chunking for the two-chunk and batched pipeline runs (real: v4 500/1000, v3 468/934; overlapped_len 12 kept).
MICRO_CHUNKING = {
    "v4": {"single": dict(T_ref=40, T_chunk=64), "batched": dict(T_ref=40, T_chunk=80)},
    "v3": {"single": dict(T_ref=36, T_chunk=60), "batched": dict(T_ref=36, T_chunk=74)},
}


def ref_signal(sr):
    """0.5 s of a 180 Hz harmonic tone (10 harmonics, 3 Hz AM, 5 Hz vibrato) over a broadband floor of 240 fixed
    sinusoids (log-spaced 60 Hz - 15.6 kHz, amplitude 1e-3, seeded phases; at 24 kHz only those below 11.76 kHz),
    evaluated analytically at `sr`: the 24 kHz version is the 32 kHz one band-limited, as a resampler would give,
    without needing one. The floor keeps every mel band well above the 1e-5 clamp. Peak below 0.6."""
    n = int(round(REF_SECONDS * sr))
    t = np.arange(n, dtype=np.float64) / sr
    f0 = 180.0
    phase = 2 * np.pi * (f0 * t + 0.02 * f0 / 5.0 * np.sin(2 * np.pi * 5.0 * t))
    x = sum(np.sin(k * phase + 0.5 * k) / k for k in range(1, 11))
    x = 0.6 / 2.3 * x * (0.6 + 0.4 * np.sin(2 * np.pi * 3.0 * t))
    freqs = np.geomspace(60.0, 15600.0, 240)
    phases = np.random.default_rng(7).uniform(0.0, 2 * np.pi, freqs.size)
    for f, p in zip(freqs, phases):
        if f < 0.49 * sr:
            x = x + 1e-3 * np.sin(2 * np.pi * f * t + p)
    return x.astype(np.float32)


# ---------------------------------------------------------------------------------------------------------------------
def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def git_commit(root):
    try:
        return subprocess.check_output(
            ["git", "-C", root, "rev-parse", "HEAD"], stderr=subprocess.DEVNULL, text=True
        ).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def max_abs(a, b):
    return float((a.double() - b.double()).abs().max())


class MappedNN:
    """Stands in for `torch.nn` inside module/models.py while a micro model is built: Conv1d widths that are GPT-SoVITS
    literals (768, 512) are mapped to the micro widths; everything else is torch.nn."""

    def __init__(self, width_map):
        self._map = width_map

    def __getattr__(self, name):
        return getattr(nn, name)

    def Conv1d(self, in_channels, out_channels, *args, **kwargs):  # noqa: N802
        return nn.Conv1d(
            self._map.get(in_channels, in_channels), self._map.get(out_channels, out_channels), *args, **kwargs
        )


class ModuleProxy:
    """A module seen through a few replaced attributes."""

    def __init__(self, module, **overrides):
        self._module = module
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._module, name)


@contextlib.contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def load_tts_definitions(tts_path, namespace, top_level, methods):
    """Compiles the named top-level definitions and TTS methods of TTS.py from its own source into `namespace`.
    Returns {method name: function}."""
    with open(tts_path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=tts_path)
    body = []
    found = {}
    for node in tree.body:
        names = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if any(n in top_level for n in names):
            body.append(node)
            found.update({n: node.lineno for n in names})
        if isinstance(node, ast.ClassDef) and node.name == "TTS":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in methods:
                    body.append(item)
                    found["TTS." + item.name] = item.lineno
    missing = [n for n in list(top_level) + ["TTS." + m for m in methods] if n not in found]
    if missing:
        raise RuntimeError(f"not found in {tts_path}: {missing}")
    exec(compile(ast.Module(body=body, type_ignores=[]), tts_path, "exec"), namespace)
    return {m: namespace[m] for m in methods}, found


def xt_version(root):
    try:
        with open(os.path.join(root, "pyproject.toml")) as f:
            return re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M).group(1)
    except (OSError, AttributeError):
        return "unknown"


def summarize_load_log(log):
    """TTS.init_vits_weights prints load_state_dict's result; lists of missing keys are replaced by their count."""
    out = []
    for line in log.strip().splitlines():
        m = re.search(r"_IncompatibleKeys\(missing_keys=(\[.*?\]), unexpected_keys=(\[.*?\])\)", line)
        if m:
            missing, unexpected = ast.literal_eval(m.group(1)), ast.literal_eval(m.group(2))
            prefixes = sorted({k.split(".")[0] for k in missing})
            line = (
                line[: m.start()] + f"_IncompatibleKeys(missing_keys=<{len(missing)} keys under {prefixes}>, "
                f"unexpected_keys={unexpected})"
            )
        out.append(line)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gpt_sovits_dir", help="GPT-SoVITS checkout/export holding GPT_SoVITS/ and tools/")
    parser.add_argument("x_transformers_dir", help="x-transformers checkout holding the x_transformers package")
    parser.add_argument("out_dir", help="where to write the fixtures (gpu-function/test/fixtures/v3v4)")
    parser.add_argument("--commit", help="GPT-SoVITS commit to record when the checkout has no .git")
    parser.add_argument("--x-transformers-commit", help="x-transformers commit to record when the checkout has no .git")
    args = parser.parse_args()

    gsv_root = os.path.abspath(args.gpt_sovits_dir)
    gsv_pkg = os.path.join(gsv_root, "GPT_SoVITS")
    out_dir = os.path.abspath(args.out_dir)
    # As GPT-SoVITS runs: GPT_SoVITS/ on the path (module, text, process_ckpt, utils, BigVGAN), the repository root
    # too (f5_tts/model/__init__.py imports GPT_SoVITS.f5_tts..., process_ckpt imports tools.i18n).
    sys.path[:0] = [gsv_pkg, gsv_root, os.path.abspath(args.x_transformers_dir)]
    import warnings

    warnings.filterwarnings("ignore")
    cwd0 = os.getcwd()
    os.chdir(gsv_root)  # tools/i18n resolves its locale folder relative to the working directory at import
    import librosa  # noqa: F401  (mel_processing imports librosa.filters.mel)
    import peft
    from peft import LoraConfig, get_peft_model

    import process_ckpt
    import utils as gsv_utils
    from BigVGAN.bigvgan import BigVGAN
    from BigVGAN.env import AttrDict
    from module import models
    from module import modules as gsv_modules
    from module.mel_processing import mel_spectrogram_torch, spectrogram_torch
    from text import cleaned_text_to_sequence
    import x_transformers

    os.chdir(cwd0)

    torch.backends.nnpack.set_flags(False)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    os.makedirs(out_dir, exist_ok=True)
    for sub in ("ckpt", "inputs", "v4", "v3"):
        shutil.rmtree(os.path.join(out_dir, sub), ignore_errors=True)
    files = {}
    noise_table = {}

    def save(name, tensor, meaning, ref64=None, note=None):
        """Writes `name`.npy; with a float64 recomputation `ref64`, records the fp32-vs-fp64 max abs difference."""
        path = os.path.join(out_dir, name + ".npy")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        t = tensor.detach().cpu()
        if t.dtype in (torch.float32, torch.float64, torch.float16):
            arr = t.float().numpy()
        elif t.dtype in (torch.int64, torch.int32):
            arr = t.long().numpy()
        else:
            raise TypeError(t.dtype)
        arr = np.ascontiguousarray(arr)
        np.save(path, arr)
        entry = {"dtype": str(arr.dtype), "shape": list(arr.shape), "meaning": meaning}
        if arr.dtype == np.float32 and arr.size:
            entry["absmax"] = float(np.abs(arr).max())
        if ref64 is not None:
            entry["fp32_vs_fp64_maxabs"] = max_abs(t, ref64.detach().cpu())
            noise_table[name] = {"fp32_vs_fp64_maxabs": entry["fp32_vs_fp64_maxabs"], "absmax": entry.get("absmax")}
        if note:
            entry["note"] = note
        files[name + ".npy"] = entry

    # -----------------------------------------------------------------------------------------------------------------
    # Micro construction.
    orig = {
        "DiT": models.DiT,
        "Encoder": models.Encoder,
        "MRTE": models.MRTE,
        "RVQ": models.ResidualVectorQuantizer,
        "MelStyleEncoder": gsv_modules.MelStyleEncoder,
        "Generator": models.Generator,
    }
    wmap = MICRO_WIDTH_MAP

    def micro_dit(**kw):
        return orig["DiT"](**{**kw, **MICRO_DIT, "text_dim": wmap.get(kw["text_dim"], kw["text_dim"])})

    def micro_encoder(i, o, h, kernel_size, dilation_rate, n_layers, **kw):
        assert (i, o, h, n_layers) == (512, 512, 512, 8), (i, o, h, n_layers)  # wns1, the only Encoder in V3
        return orig["Encoder"](wmap[i], wmap[o], wmap[h], kernel_size, dilation_rate, MICRO_WNS1_LAYERS, **kw)

    def micro_rvq(**kw):
        return orig["RVQ"](**{**kw, "dimension": wmap.get(kw["dimension"], kw["dimension"])})

    @contextlib.contextmanager
    def micro_constructors():
        with contextlib.ExitStack() as st:
            st.enter_context(patched(models, "nn", MappedNN(wmap)))
            st.enter_context(patched(models, "DiT", micro_dit))
            st.enter_context(patched(models, "Encoder", micro_encoder))
            st.enter_context(patched(models, "ResidualVectorQuantizer", micro_rvq))
            st.enter_context(patched(models, "MRTE", functools.partial(orig["MRTE"], **MICRO_MRTE)))
            # models.py calls modules.MelStyleEncoder(...); the class itself stays (its __init__ calls
            # super(MelStyleEncoder, self)), only the name models.py sees is swapped.
            st.enter_context(
                patched(
                    models,
                    "modules",
                    ModuleProxy(
                        gsv_modules,
                        MelStyleEncoder=functools.partial(orig["MelStyleEncoder"], style_hidden=MICRO_STYLE_HIDDEN),
                    ),
                )
            )
            yield

    def build_v3v4(*a, **kw):
        with micro_constructors():
            return models.SynthesizerTrnV3(*a, **kw)

    def micro_generator(**kw):
        return orig["Generator"](**{**kw, "upsample_initial_channel": MICRO_V4_VOCODER_CHANNEL})

    # -----------------------------------------------------------------------------------------------------------------
    # Config as the webui (webui.py open1Ba) writes it for a v3/v4 SoVITS training run, read back by utils.get_hparams.
    def make_hps(version):
        with open(os.path.join(gsv_pkg, "configs", "s2.json")) as f:
            data = json.load(f)
        pre = {
            "v3": "GPT_SoVITS/pretrained_models/s2Gv3.pth",
            "v4": "GPT_SoVITS/pretrained_models/gsv-v4-pretrained/s2Gv4.pth",
        }[version]
        data["train"].update(
            batch_size=4,
            epochs=4,
            text_low_lr_rate=0.4,
            pretrained_s2G=pre,
            pretrained_s2D=pre.replace("s2G", "s2D"),
            if_save_latest=True,
            if_save_every_weights=True,
            save_every_epoch=4,
            gpu_numbers="0",
            grad_ckpt=False,
            lora_rank=LORA_RANK,
        )
        data["model"]["version"] = version
        data["model"].update(MICRO_MODEL_CONFIG)
        data["data"]["exp_dir"] = data["s2_ckpt_dir"] = f"logs/micro_{version}"
        data["save_weight_dir"] = f"SoVITS_weights_{version}"
        data["name"] = f"micro_{version}"
        data["version"] = version
        hps = gsv_utils.HParams(**json.loads(json.dumps(data)))
        hps.pretrain = None
        hps.resume_step = None
        return hps

    def new_model(hps):
        # As s2_train_v3(_lora).py builds it.
        return build_v3v4(
            hps.data.filter_length // 2 + 1,
            hps.train.segment_size // hps.data.hop_length,
            n_speakers=hps.data.n_speakers,
            **hps.model,
        )

    # -----------------------------------------------------------------------------------------------------------------
    # Random weights.
    def wn_dim0_norm(v):
        return v.norm(dim=tuple(range(1, v.dim())), keepdim=True)

    def randomize(model, g, gain=1.0):
        with torch.no_grad():
            for name, m in model.named_modules():
                if isinstance(m, (nn.Conv1d, nn.Linear, nn.ConvTranspose1d)):
                    w = m.weight_v if hasattr(m, "weight_v") else m.weight
                    if isinstance(m, nn.ConvTranspose1d):
                        fan_in = w.shape[0] * w.shape[2] / m.stride[0]
                    else:
                        fan_in = w[0].numel()
                    w.normal_(0.0, gain / fan_in**0.5, generator=g)
                    if hasattr(m, "weight_g"):
                        m.weight_g.copy_(wn_dim0_norm(w) * torch.empty_like(m.weight_g).uniform_(0.6, 1.4, generator=g))
                    if m.bias is not None:
                        m.bias.uniform_(-0.2, 0.2, generator=g)
                elif isinstance(m, nn.Embedding):
                    m.weight.normal_(0.0, 1.0, generator=g)
                elif isinstance(m, nn.LayerNorm) and m.elementwise_affine:
                    m.weight.uniform_(0.6, 1.4, generator=g)
                    m.bias.normal_(0.0, 0.1, generator=g)
                elif type(m).__name__ == "LayerNorm" and hasattr(m, "gamma"):  # module.modules.LayerNorm
                    m.gamma.uniform_(0.6, 1.4, generator=g)
                    m.beta.normal_(0.0, 0.1, generator=g)
                elif type(m).__name__ == "GRN":
                    m.gamma.normal_(0.0, 0.5, generator=g)
                    m.beta.normal_(0.0, 0.2, generator=g)
                elif type(m).__name__ in ("Snake", "SnakeBeta"):
                    m.alpha.normal_(0.0, 0.3, generator=g)
                    if hasattr(m, "beta"):
                        m.beta.normal_(0.0, 0.3, generator=g)

    def randomize_v3v4(model, g):
        randomize(model, g)
        with torch.no_grad():
            cb = model.quantizer.vq.layers[0]._codebook
            cb.embed.normal_(0.0, 1.0, generator=g)
            cb.cluster_size.uniform_(1.0, 50.0, generator=g)
            cb.embed_avg.copy_(cb.embed * cb.cluster_size[:, None])
            cb.inited.fill_(1.0)  # else the first forward would run k-means on its input
            # MultiHeadAttention relative-position tables (attentions.py) are already randn * rstd.

    # -----------------------------------------------------------------------------------------------------------------
    work = tempfile.mkdtemp(prefix="v3v4fix-")
    ckpt_dir = os.path.join(out_dir, "ckpt")
    os.makedirs(ckpt_dir, exist_ok=True)
    checkpoints = {}

    def run_savee(ckpt, name, epoch, steps, hps, **kw):
        """process_ckpt.savee in a scratch working directory (it writes hps.save_weight_dir/name.pth relative to the
        working directory, my_save through a temporary file named after time())."""
        cwd = os.getcwd()
        os.chdir(work)
        try:
            os.makedirs(hps.save_weight_dir, exist_ok=True)
            with patched(process_ckpt, "ttime", lambda: FIXED_SAVE_TIME[hps.model.version]):
                result = process_ckpt.savee(ckpt, name, epoch, steps, hps, **kw)
            if result != "Success.":
                raise RuntimeError(result)
            return os.path.join(work, hps.save_weight_dir, name + ".pth")
        finally:
            os.chdir(cwd)

    def write_index(path, weight, index_path):
        rows = []
        for k, v in weight.items():
            d = v.double()
            rows.append(
                {
                    "name": k,
                    "dtype": str(v.dtype).replace("torch.", ""),
                    "shape": list(v.shape),
                    "sum": float(d.sum()),
                    "abs_sum": float(d.abs().sum()),
                }
            )
        with open(index_path, "w") as f:
            f.write("[\n" + ",\n".join(json.dumps(r, separators=(",", ":")) for r in rows) + "\n]\n")
        return rows

    def describe_sovits_file(fixture_name, saved_as, path):
        head = open(path, "rb").read(2)
        obj = process_ckpt.load_sovits_new(path)
        with open(path, "rb") as f:
            zip_bytes = b"PK" + f.read()[2:]
        import zipfile

        names = zipfile.ZipFile(io.BytesIO(zip_bytes)).namelist()
        folder = names[0].split("/")[0]
        index_name = fixture_name.replace(".pth", ".index.json")
        rows = write_index(path, obj["weight"], os.path.join(ckpt_dir, index_name))
        entry = {
            "file": "ckpt/" + fixture_name,
            "saved_by_gpt_sovits_as": saved_as,
            "bytes": os.path.getsize(path),
            "header": head.decode("latin1"),
            "sha256": sha256(path),
            "zip_folder": folder,
            "zip_records": sorted(n[len(folder) + 1 :] for n in names if not re.match(r".*/data/\d+$", n)),
            "index": "ckpt/" + index_name,
            "top_level_keys": list(obj.keys()),
            "info": obj["info"],
            "num_tensors": len(rows),
            "num_values": int(sum(v.numel() for v in obj["weight"].values())),
            "weight_container": type(obj["weight"]).__module__ + "." + type(obj["weight"]).__name__,
            "weight_dtypes": sorted({r["dtype"] for r in rows}),
            "config_type": type(obj["config"]).__module__ + "." + type(obj["config"]).__name__,
            "config": json.loads(
                json.dumps(obj["config"], default=lambda o: {"__class__": "utils.HParams", **o.__dict__})
            ),
            "detected_by_get_sovits_version_from_path_fast": list(process_ckpt.get_sovits_version_from_path_fast(path)),
        }
        if "lora_rank" in obj:
            entry["lora_rank"] = obj["lora_rank"]
        return entry

    # -----------------------------------------------------------------------------------------------------------------
    # Common inputs.
    wav32 = torch.from_numpy(ref_signal(32000))[None]
    wav24 = torch.from_numpy(ref_signal(24000))[None]
    g_in = torch.Generator().manual_seed(SEED + 1)
    ssl_content = torch.randn(1, MICRO_WIDTH_MAP[768], SSL_FRAMES, generator=g_in)
    prompt_phones = torch.LongTensor(cleaned_text_to_sequence(PROMPT_PHONES, "v2"))[None]
    target_phones = torch.LongTensor(cleaned_text_to_sequence(TARGET_PHONES, "v2"))[None]
    target_b_phones = torch.LongTensor(cleaned_text_to_sequence(TARGET_B_PHONES, "v2"))[None]
    target_codes = torch.randint(0, 1024, (1, 1, N_TARGET), generator=g_in)
    target_b_codes = torch.randint(0, 1024, (1, 1, N_TARGET_B), generator=g_in)
    # As TTS._get_ref_spec: spectrogram_torch(audio, filter_length, sampling_rate, hop_length, win_length, center=False)
    ref_spec = spectrogram_torch(wav32, 2048, 32000, 640, 2048, center=False)
    ref_spec64 = spectrogram_torch(wav32.double(), 2048, 32000, 640, 2048, center=False)

    save(
        "inputs/ref_wav_32k",
        wav32,
        f"{REF_SECONDS} s reference at 32 kHz (v4 mel, SoVITS spectrogram); peak "
        f"{float(wav32.abs().max()):.3f}, so TTS.py's /max normalisation does not apply",
    )
    save("inputs/ref_wav_24k", wav24, "the same analytic signal sampled at 24 kHz (v3 mel)")
    save(
        "inputs/ref_spec",
        ref_spec,
        "spectrogram_torch(ref_wav_32k, 2048, 32000, 640, 2048, center=False): the "
        "`refer` input of decode_encp (eps 1e-8)",
        ref_spec64,
    )
    save(
        "inputs/ssl_content",
        ssl_content,
        "random [1, ssl_dim=32, 29] standing in for HuBERT features (micro SSL "
        "dim); extract_latent gives the 14 prompt codes",
    )
    save("inputs/prompt_phones", prompt_phones, "v2 symbol ids of '" + " ".join(PROMPT_PHONES) + "'")
    save("inputs/target_phones", target_phones, "v2 symbol ids of '" + " ".join(TARGET_PHONES) + "'")
    save("inputs/target_b_phones", target_b_phones, "v2 symbol ids of '" + " ".join(TARGET_B_PHONES) + "'")
    save("inputs/target_codes", target_codes, f"{N_TARGET} random semantic tokens: the target (item A)")
    save("inputs/target_b_codes", target_b_codes, f"{N_TARGET_B} random semantic tokens: batched item B")

    # -----------------------------------------------------------------------------------------------------------------
    # TTS.py definitions, compiled per harness with the names they use.
    tts_path = os.path.join(gsv_pkg, "TTS_infer_pack", "TTS.py")
    TOP = ["spec_min", "spec_max", "norm_spec", "denorm_spec", "mel_fn", "mel_fn_v4"]
    METHODS = [
        "init_vits_weights",
        "init_vocoder",
        "using_vocoder_synthesis",
        "using_vocoder_synthesis_batched_infer",
        "sola_algorithm",
    ]

    def resample_stub(*_a, **_k):
        raise RuntimeError("resample (torchaudio) is not available; the fixtures pass audio at the target rate")

    pretrained_root = os.path.join(work, "now_dir")

    class BigVGANAs:
        """BigVGAN.from_pretrained(folder) for TTS.init_vocoder, cast to the harness dtype (float64 runs). It calls
        BigVGAN's own _from_pretrained with the keywords huggingface_hub < 1.0 passes (hub 1.x no longer passes
        `proxies` / `resume_download`, which BigVGAN._from_pretrained requires)."""

        def __init__(self, dtype):
            self.dtype = dtype

        def from_pretrained(self, model_id):
            model = BigVGAN._from_pretrained(
                model_id=str(model_id),
                revision=None,
                cache_dir=None,
                force_download=False,
                proxies=None,
                resume_download=None,
                local_files_only=False,
                token=None,
            )
            return model.to(self.dtype)

    def make_harness(dtype, default_paths):
        ns = {
            "torch": torch,
            "F": F,
            "np": np,
            "os": os,
            "List": typing.List,
            "Tuple": typing.Tuple,
            "Union": typing.Union,
            "mel_spectrogram_torch": mel_spectrogram_torch,
            "spectrogram_torch": spectrogram_torch,
            "SynthesizerTrn": models.SynthesizerTrn,
            "SynthesizerTrnV3": lambda *a, **k: build_v3v4(*a, **k).to(dtype),
            "Generator": lambda **k: micro_generator(**k).to(dtype),
            "BigVGAN": BigVGANAs(dtype),
            "LoraConfig": LoraConfig,
            "get_peft_model": get_peft_model,
            "get_sovits_version_from_path_fast": process_ckpt.get_sovits_version_from_path_fast,
            "load_sovits_new": process_ckpt.load_sovits_new,
            "i18n": lambda s: s,
            "now_dir": pretrained_root,
            "resample": resample_stub,
        }
        methods, lines = load_tts_definitions(tts_path, ns, TOP, METHODS)
        cls = type("TTS", (), dict(methods))
        h = cls()
        h.ns = ns
        h.configs = types.SimpleNamespace(
            device=torch.device("cpu"),
            is_half=False,
            use_vocoder=False,
            version=None,
            default_configs={v: {"vits_weights_path": p} for v, p in default_paths.items()},
            update_version=lambda v: setattr(h.configs, "version", v),
            save_configs=lambda *a: None,
        )
        h.vocoder = None
        h.vocoder_configs = {"sr": None, "T_ref": None, "T_chunk": None, "upsample_rate": None, "overlapped_len": None}
        h.precision = dtype
        h.prompt_cache = {}
        h.tts_lines = lines
        return h

    def quiet(fn, *a, **k):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            out = fn(*a, **k)
        return out, buf.getvalue()

    # -----------------------------------------------------------------------------------------------------------------
    # Recording helpers around the CFM noise draw, the estimator (DiT) and decode_encp.
    class NoiseTape:
        def __init__(self):
            self.recorded = []
            self.replay = None

        @contextlib.contextmanager
        def active(self, replay=None):
            real = torch.randn
            self.replay = None if replay is None else list(replay)
            tape = self

            def randn(*a, **k):
                if tape.replay is not None:
                    out = tape.replay.pop(0).to(k.get("dtype") or torch.get_default_dtype())
                    assert list(out.shape) == list(a[0] if len(a) == 1 else a), (out.shape, a)
                    return out
                out = real(*a, **k)
                tape.recorded.append(out.detach().clone())
                return out

            torch.randn = randn
            try:
                yield self
            finally:
                torch.randn = real
                if self.replay:
                    raise RuntimeError("unused replay noise")

    def record_calls(model, method_name, store):
        real = getattr(model, method_name)

        def wrapper(*a, **k):
            out = real(*a, **k)
            store.append({"args": a, "kwargs": k, "out": out})
            return out

        setattr(model, method_name, wrapper)
        return lambda: delattr(model, method_name)

    def estimator_tape(est):
        steps = []

        def hook(_m, inputs, kwargs, output):
            x, cond, x_lens, t, d, mu = inputs[:6]
            steps.append(
                {
                    "x": x.detach().clone(),
                    "cond": cond.detach().clone(),
                    "t": t.detach().clone(),
                    "d": d.detach().clone(),
                    "v": output[0].detach().clone(),
                }
            )

        return steps, est.register_forward_hook(hook, with_kwargs=True)

    def dit_internals(est):
        """Forward hooks on the DiT's submodules for its first call (clones: `t += dt` is in place)."""
        rec = {}
        handles = []

        def grab(key, fn=lambda o: o):
            def hook(_m, _i, o):
                if key not in rec:
                    rec[key] = fn(o).detach().clone()

            return hook

        handles.append(est.time_embed.register_forward_hook(grab("time_embed")))
        handles.append(est.d_embed.register_forward_hook(grab("d_embed")))
        handles.append(est.text_embed.register_forward_hook(grab("text_embed")))
        handles.append(est.input_embed.proj.register_forward_hook(grab("input_proj")))
        handles.append(est.input_embed.register_forward_hook(grab("input_embed")))
        b0 = est.transformer_blocks[0]
        handles.append(b0.attn_norm.linear.register_forward_hook(grab("block0_adaln_emb")))
        handles.append(b0.attn_norm.register_forward_hook(grab("block0_attn_norm", lambda o: o[0])))
        handles.append(b0.attn.register_forward_hook(grab("block0_attn")))
        handles.append(b0.ff.register_forward_hook(grab("block0_ff")))
        for i, blk in enumerate(est.transformer_blocks):
            handles.append(blk.register_forward_hook(grab(f"block{i}_out")))
        handles.append(est.norm_out.register_forward_hook(grab("norm_out")))
        handles.append(est.proj_out.register_forward_hook(grab("proj_out")))

        # t (time_embed + d_embed) as the blocks receive it
        def grab_t(_m, a, k):
            if "t" not in rec:
                rec["t"] = (k["t"] if "t" in k else a[1]).detach().clone()

        handles.append(b0.register_forward_pre_hook(grab_t, with_kwargs=True))
        return rec, handles

    # -----------------------------------------------------------------------------------------------------------------
    def make_version(version):
        vdir = version
        sr_mel = 32000 if version == "v4" else 24000
        wav = wav32 if version == "v4" else wav24
        g = torch.Generator().manual_seed(SEED + (4 if version == "v4" else 3))
        hps = make_hps(version)

        # ---- base model: random weights, saved as s2_train_v3.py saves a full model (savee -> my_save, "PK") -------
        net_g = new_model(hps)
        randomize_v3v4(net_g, g)
        base_saved = run_savee(net_g.state_dict(), hps.name + "_e4_s96", 4, 96, hps)
        base_name = f"s2G{version}_micro.pth"
        base_path = os.path.join(ckpt_dir, base_name)
        shutil.copyfile(base_saved, base_path)

        # ---- LoRA: as s2_train_v3_lora.py -------------------------------------------------------------------------
        net_l = new_model(hps)
        net_l.load_state_dict(process_ckpt.load_sovits_new(base_path)["weight"], strict=False)
        lora_rank = int(hps.train.lora_rank)
        lora_config = LoraConfig(
            target_modules=["to_k", "to_q", "to_v", "to_out.0"],
            r=lora_rank,
            lora_alpha=lora_rank,
            init_lora_weights=True,
        )
        torch.manual_seed(SEED + 10)  # lora_A's kaiming init draws from the global generator
        net_l.cfm = get_peft_model(net_l.cfm, lora_config)
        no_grad_names = {n.replace("module.", "") for n, p in net_l.named_parameters() if not p.requires_grad}
        with torch.no_grad():
            # "Training": random nonzero lora_B (its init is 0) and lora_A, and the other trainable parts (ref_enc,
            # bridge, wns1, linear_mel) moved away from the base so that a reader must apply the LoRA file's copies.
            for n, p in net_l.named_parameters():
                if not p.requires_grad:
                    continue
                if "lora_B" in n:
                    p.normal_(0.0, 0.15, generator=g)
                elif "lora_A" in n:
                    p.uniform_(-0.25, 0.25, generator=g)
                else:
                    p.add_(0.1 * p.abs().mean() * torch.randn(p.shape, generator=g))
        ckpt = net_l.state_dict()
        sim_ckpt = {k: ckpt[k].half().cpu() for k in ckpt if k not in no_grad_names}
        lora_saved = run_savee(
            sim_ckpt, hps.name + "_e4_s96_l%s" % lora_rank, 4, 96, hps, model_version=version, lora_rank=lora_rank
        )
        lora_name = f"s2G{version}_lora_micro.pth"
        lora_path = os.path.join(ckpt_dir, lora_name)
        shutil.copyfile(lora_saved, lora_path)
        trainable = sorted({n.split(".")[0] for n, p in net_l.named_parameters() if p.requires_grad})

        checkpoints[f"{version}_base"] = describe_sovits_file(
            base_name, f"SoVITS_weights_{version}/{hps.name}_e4_s96.pth (s2_train_v3.py's savee: my_save)", base_path
        )
        checkpoints[f"{version}_lora"] = describe_sovits_file(
            lora_name,
            f"SoVITS_weights_{version}/{hps.name}_e4_s96_l{lora_rank}.pth (s2_train_v3_lora.py's savee: my_save2)",
            lora_path,
        )
        checkpoints[f"{version}_lora"]["lora_config"] = {
            "target_modules": ["to_k", "to_q", "to_v", "to_out.0"],
            "r": lora_rank,
            "lora_alpha": lora_rank,
        }
        checkpoints[f"{version}_lora"]["trainable_top_level_modules_during_lora_training"] = trainable
        # The pretrained s2Gv3.pth / s2Gv4.pth are recognised only by the MD5 of their first 8192 bytes (a "PK" file
        # this small is otherwise taken for v1); the micro base is registered the same way, so that
        # TTS.init_vits_weights treats it as the pretrained base.
        process_ckpt.hash_pretrained_dict[process_ckpt.get_hash_from_file(base_path)] = ["v2", version, False]
        checkpoints[f"{version}_base"]["detected_after_registering_its_md5"] = list(
            process_ckpt.get_sovits_version_from_path_fast(base_path)
        )

        # ---- vocoder --------------------------------------------------------------------------------------------------
        if version == "v4":
            # TTS.init_vocoder: Generator(...) -> remove_weight_norm() -> load_state_dict(torch.load(vocoder.pth)).
            voc = micro_generator(
                initial_channel=100,
                resblock="1",
                resblock_kernel_sizes=[3, 7, 11],
                resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5], [1, 3, 5]],
                upsample_rates=[10, 6, 2, 2, 2],
                upsample_initial_channel=512,
                upsample_kernel_sizes=[20, 12, 4, 4, 4],
                gin_channels=0,
                is_bias=True,
            )
            quiet(voc.remove_weight_norm)
            randomize(voc, g)
            voc_dir = os.path.join(pretrained_root, "GPT_SoVITS", "pretrained_models", "gsv-v4-pretrained")
            os.makedirs(voc_dir, exist_ok=True)
            voc_tmp = os.path.join(voc_dir, "vocoder.pth")
        else:
            voc = BigVGAN(AttrDict(BIGVGAN_MICRO_CONFIG))
            randomize(voc, g)
            voc_dir = os.path.join(
                pretrained_root, "GPT_SoVITS", "pretrained_models", "models--nvidia--bigvgan_v2_24khz_100band_256x"
            )
            os.makedirs(voc_dir, exist_ok=True)
        # Calibrate conv_post on a typical denormed mel so the audio is mostly out of saturation: zero DC gain per input
        # channel, then scale to RMS 0.25.
        probe = -4.0 + 10.0 * torch.randn(1, 100, 30, generator=g)  # about what denorm_spec(CFM output) gives here
        with torch.no_grad():
            post = voc.conv_post
            w = post.weight_v if hasattr(post, "weight_v") else post.weight
            w.sub_(w.mean(dim=2, keepdim=True))
            if hasattr(post, "weight_g"):
                post.weight_g.copy_(wn_dim0_norm(w))
            if getattr(post, "bias", None) is not None:
                post.bias.fill_(0.01)
            pre = None

            def grab_pre(_m, i):
                nonlocal pre
                pre = i[0]

            hnd = post.register_forward_pre_hook(grab_pre)
            voc(probe)
            hnd.remove()
            y = post(pre)
            scale = 0.25 / float(y.std())
            if hasattr(post, "weight_g"):
                post.weight_g.mul_(scale)
            else:
                w.mul_(scale)
        if version == "v4":
            torch.save(voc.state_dict(), voc_tmp)
            voc_name = "vocoder_v4_micro.pth"
            shutil.copyfile(voc_tmp, os.path.join(ckpt_dir, voc_name))
            sd = torch.load(voc_tmp, map_location="cpu")
            rows = write_index(voc_tmp, sd, os.path.join(ckpt_dir, "vocoder_v4_micro.index.json"))
            checkpoints["v4_vocoder"] = {
                "file": "ckpt/" + voc_name,
                "bytes": os.path.getsize(voc_tmp),
                "sha256": sha256(voc_tmp),
                "index": "ckpt/vocoder_v4_micro.index.json",
                "format": "torch.save(state_dict) of module.models.Generator after remove_weight_norm(): a plain "
                "OrderedDict of float32 tensors (plain .weight, no weight_g/weight_v), loaded strictly by "
                "TTS.init_vocoder from GPT_SoVITS/pretrained_models/gsv-v4-pretrained/vocoder.pth",
                "constructor": {
                    "class": "Generator",
                    "initial_channel": 100,
                    "resblock": "1",
                    "resblock_kernel_sizes": [3, 7, 11],
                    "resblock_dilation_sizes": [[1, 3, 5]] * 3,
                    "upsample_rates": [10, 6, 2, 2, 2],
                    "upsample_initial_channel": MICRO_V4_VOCODER_CHANNEL,
                    "upsample_kernel_sizes": [20, 12, 4, 4, 4],
                    "gin_channels": 0,
                    "is_bias": True,
                },
                "real_upsample_initial_channel": 512,
                "num_tensors": len(rows),
                "num_values": int(sum(v.numel() for v in sd.values())),
            }
        else:
            voc._save_pretrained(__import__("pathlib").Path(voc_dir))  # BigVGAN's own: {"generator": sd} + config.json
            dst = os.path.join(ckpt_dir, "bigvgan_v3_micro")
            os.makedirs(dst, exist_ok=True)
            for fn in ("bigvgan_generator.pt", "config.json"):
                shutil.copyfile(os.path.join(voc_dir, fn), os.path.join(dst, fn))
            sd = torch.load(os.path.join(dst, "bigvgan_generator.pt"), map_location="cpu")["generator"]
            rows = write_index(None, sd, os.path.join(ckpt_dir, "bigvgan_v3_micro.index.json"))
            checkpoints["v3_bigvgan"] = {
                "files": ["ckpt/bigvgan_v3_micro/bigvgan_generator.pt", "ckpt/bigvgan_v3_micro/config.json"],
                "bytes": {fn: os.path.getsize(os.path.join(dst, fn)) for fn in ("bigvgan_generator.pt", "config.json")},
                "sha256": {fn: sha256(os.path.join(dst, fn)) for fn in ("bigvgan_generator.pt", "config.json")},
                "index": "ckpt/bigvgan_v3_micro.index.json",
                "format": "BigVGAN._save_pretrained: torch.save({'generator': state_dict}) with weight norm "
                "(weight_g/weight_v), float32, plus config.json; TTS.init_vocoder loads the folder with "
                "BigVGAN.from_pretrained and then calls remove_weight_norm()",
                "config": BIGVGAN_MICRO_CONFIG,
                "real_upsample_initial_channel": 1536,
                "real_resblock_kernel_sizes": [3, 7, 11],
                "num_tensors": len(rows),
                "num_values": int(sum(v.numel() for v in sd.values())),
            }

        # ---- harnesses: TTS.init_vits_weights / init_vocoder, fp32 and fp64 -----------------------------------------
        harness = {}
        for key, path in (("base", base_path), ("lora", lora_path)):
            for dtype in (torch.float32, torch.float64):
                h = make_harness(dtype, {version: base_path})
                _, log = quiet(h.init_vits_weights, path)
                h.load_log = log
                harness[(key, dtype)] = h
        h32, h64 = harness[("base", torch.float32)], harness[("base", torch.float64)]
        l32, l64 = harness[("lora", torch.float32)], harness[("lora", torch.float64)]
        for hh in harness.values():
            assert hh.configs.version == version and hh.configs.use_vocoder, (hh.configs.version,)
        for key in ("base", "lora"):
            checkpoints[f"{version}_{key}"]["tts_init_vits_weights_log"] = summarize_load_log(
                harness[(key, torch.float32)].load_log.replace(ckpt_dir, "<fixtures>/ckpt")
            )

        norm_spec = h32.ns["norm_spec"]
        mel_fn = h32.ns["mel_fn_v4"] if version == "v4" else h32.ns["mel_fn"]

        def set_prompt(h, prompt_codes):
            # What TTS.set_ref_audio / _set_prompt_semantic / _get_ref_spec leave in prompt_cache (refer_spec's second
            # element is the 16 kHz audio only for v2Pro).
            h.prompt_cache = {
                "prompt_semantic": prompt_codes[0, 0],
                "phones": prompt_phones[0].tolist(),
                "refer_spec": [(ref_spec.to(h.precision), None)],
                "raw_audio": wav.clone(),
                "raw_sr": sr_mel,
            }

        # ---- mel, extract_latent ------------------------------------------------------------------------------------
        mel = mel_fn(wav)
        mel64 = mel_fn(wav.double())
        save(
            f"{vdir}/mel_ref",
            mel,
            (
                "mel_fn_v4 (n_fft 1280, hop 320, win 1280, 100 mels, 32 kHz, fmin 0, fmax None)"
                if version == "v4"
                else "mel_fn (n_fft 1024, hop 256, win 1024, 100 mels, 24 kHz, fmin 0, fmax None)"
            )
            + " of the reference, center=False",
            mel64,
        )
        save(f"{vdir}/mel_ref_norm", norm_spec(mel), "norm_spec(mel_ref) = (x + 12) / 14 * 2 - 1", norm_spec(mel64))
        with torch.no_grad():
            codes = h32.vits_model.extract_latent(ssl_content)
            codes64 = h64.vits_model.extract_latent(ssl_content.double())
            proj = h32.vits_model.ssl_proj(ssl_content)[0].t()
            emb = h32.vits_model.quantizer.vq.layers[0]._codebook.embed
            score = -(proj.pow(2).sum(1, keepdim=True) - 2 * proj @ emb.t() + emb.t().pow(2).sum(0, keepdim=True))
            top2 = score.topk(2, dim=1).values
        assert torch.equal(codes, codes64)
        prompt_codes = codes  # [1, 1, 14] (n_q, B, T transposed to B, n_q, T)
        save(
            f"{vdir}/prompt_codes",
            prompt_codes,
            "extract_latent(ssl_content): ssl_proj (k2 s2) then nearest codebook "
            "row; TTS uses codes[0, 0] as prompt_semantic",
        )
        save(
            f"{vdir}/prompt_codes_margin",
            top2[:, 0] - top2[:, 1],
            "best minus second-best codebook score per frame (score = -(|x|^2 - 2 x.e + |e|^2)); diagnostic",
        )

        # ---- run A: TTS.using_vocoder_synthesis with the real T_ref / T_chunk (one chunk), 8 Euler steps --------------
        def run_single(
            h, tape_replay=None, steps=CFM_STEPS, chunking=None, lora=False, internals=False, codes=None, phones=None
        ):
            set_prompt(h, prompt_codes)
            quiet(h.init_vocoder, version)  # already initialised by init_vits_weights: returns early, as in TTS
            if chunking:
                h.vocoder_configs.update(chunking)
            else:
                h.vocoder_configs.update(
                    {"v4": dict(T_ref=500, T_chunk=1000), "v3": dict(T_ref=468, T_chunk=934)}[version]
                )
            enc_calls, cfm_calls, voc_calls = [], [], []
            undo = [
                record_calls(h.vits_model, "decode_encp", enc_calls),
                record_calls(h.vits_model.cfm, "inference", cfm_calls),
            ]
            vh = h.vocoder.register_forward_hook(
                lambda m, i, o: voc_calls.append((i[0].detach().clone(), o.detach().clone()))
            )
            est_steps, eh = estimator_tape(h.vits_model.cfm.estimator)
            rec, ih = dit_internals(h.vits_model.cfm.estimator) if internals else ({}, [])
            tape = NoiseTape()
            torch.manual_seed(SEED + 100)
            with tape.active(tape_replay):
                audio, _ = quiet(
                    h.using_vocoder_synthesis,
                    codes if codes is not None else target_codes,
                    phones if phones is not None else target_phones,
                    speed=1.0,
                    sample_steps=steps,
                )
            for u in undo:
                u()
            vh.remove()
            eh.remove()
            for x in ih:
                x.remove()
            return dict(
                audio=audio, enc=enc_calls, cfm=cfm_calls, voc=voc_calls, steps=est_steps, dit=rec, noise=tape.recorded
            )

        A = run_single(h32, internals=True)
        A64 = run_single(h64, tape_replay=A["noise"], internals=True)
        assert len(A["cfm"]) == 1 and len(A["noise"]) == 1 and len(A["steps"]) == CFM_STEPS
        (fea_ref, ge), (fea_todo, _) = A["enc"][0]["out"], A["enc"][1]["out"]
        (fea_ref64, ge64), (fea_todo64, _) = A64["enc"][0]["out"], A64["enc"][1]["out"]
        save(f"{vdir}/ge", ge, "decode_encp's ge = ref_enc(refer[:, :704] * mask, mask): [1, gin, 1]", ge64)
        save(
            f"{vdir}/fea_ref",
            fea_ref,
            "decode_encp(prompt_codes, prompt_phones, ref_spec): prompt features "
            f"[1, 24, {fea_ref.shape[2]}] ({'4' if version == 'v4' else '3.75'} frames per token)",
            fea_ref64,
        )
        save(
            f"{vdir}/fea_todo", fea_todo, "decode_encp(target_codes, target_phones, ref_spec, ge, speed=1)", fea_todo64
        )
        with torch.no_grad():
            f125 = h32.vits_model.decode_encp(target_codes, target_phones, ref_spec, ge, 1.25)[0]
            f125_64 = h64.vits_model.decode_encp(target_codes, target_phones, ref_spec.double(), ge64, 1.25)[0]
        save(
            f"{vdir}/fea_todo_speed1.25",
            f125,
            "decode_encp(target_codes, target_phones, ref_spec, ge, speed=1.25): "
            "encoder2 output resized to int(2T/1.25)+1 frames (linear), then bridge, x2 or x1.875 nearest, then wns1 "
            "with mask length int(T*(4 or 3.875)/1.25)+1",
            f125_64,
        )
        ci = A["cfm"][0]["args"]  # (fea [B, T, C], x_lens, prompt mel2, n_timesteps)
        ci64 = A64["cfm"][0]["args"]
        cdir = f"{vdir}/cfm"
        save(
            f"{cdir}/mu",
            ci[0],
            "CFM.inference input `mu` = cat([fea_ref[:, :, :T_min], fea_todo], 2).transpose(2, 1): "
            "[B, T, 24] (time-major)",
            ci64[0],
        )
        save(f"{cdir}/x_lens", ci[1], "CFM.inference x_lens = LongTensor([T])")
        save(f"{cdir}/prompt", ci[2], "CFM.inference `prompt` = norm_spec(mel)[:, :, :T_min] (mel2)", ci64[2])
        save(
            f"{cdir}/noise",
            A["noise"][0],
            "torch.randn([B, 100, T]) drawn inside CFM.inference (x = noise * "
            "temperature 1; then x[..., :prompt_len] = 0)",
        )
        T = ci[0].shape[1]
        keep = [0, 1, CFM_STEPS - 1]
        xs = torch.stack([A["steps"][j]["x"] for j in range(1, CFM_STEPS)] + [A["cfm"][0]["out"]])
        xs64 = torch.stack([A64["steps"][j]["x"] for j in range(1, CFM_STEPS)] + [A64["cfm"][0]["out"]])
        save(
            f"{cdir}/x_after_steps_1_2_8",
            xs[keep],
            "x after Euler steps 1, 2 and 8 (x = x + d * v; t += d; "
            "x[:, :, :prompt_len] = 0), [3, B, 100, T]; index 2 is CFM.inference's return value",
            xs64[keep],
        )
        save(
            f"{cdir}/t_per_step",
            torch.stack([s["t"] for s in A["steps"]]),
            "t fed to the estimator at each step (0, 1/8, ..., 7/8) [8, B]",
        )
        save(
            f"{cdir}/v_step1",
            A["steps"][0]["v"],
            "estimator (DiT) output at step 1, time-major [B, T, 100] (CFM transposes it to [B, 100, T])",
            A64["steps"][0]["v"],
        )
        save(f"{cdir}/v_step8", A["steps"][-1]["v"], "DiT output at step 8 [B, T, 100]", A64["steps"][-1]["v"])
        meanings = {
            "time_embed": "time_embed(t=0): SinusPositionEmbedding(256, scale 1000) -> Linear -> SiLU -> Linear [B, dim]",
            "d_embed": "d_embed(d=1/8) [B, dim]",
            "t": "t = time_embed(t) + d_embed(d): the conditioning vector every block and norm_out receive [B, dim]",
            "text_embed": "text_embed(mu, T): mu + freqs_cis[0..T-1] (cos|sin of text_dim/2 freqs), then the ConvNeXtV2 "
            "blocks [B, T, 24]",
            "input_proj": "input_embed.proj(cat(x, cond, text_embed)) [B, T, dim]",
            "input_embed": "input_proj + conv_pos_embed(input_proj) [B, T, dim]",
            "block0_adaln_emb": "block 0 attn_norm.linear(SiLU(t)): 6 chunks shift_msa, scale_msa, gate_msa, shift_mlp, "
            "scale_mlp, gate_mlp [B, 6 dim]",
            "block0_attn_norm": "block 0 LayerNorm(x, no affine, eps 1e-6) * (1 + scale_msa) + shift_msa [B, T, dim]",
            "block0_attn": "block 0 attention output (after to_out, padded rows zeroed) [B, T, dim]",
            "block0_ff": "block 0 feed-forward output (before gate_mlp) [B, T, dim]",
            "norm_out": "norm_out(x, t): LayerNorm * (1 + scale) + shift, with (scale, shift) = chunk(Linear(SiLU(t)), 2)",
            "proj_out": "proj_out(norm_out) = the velocity [B, T, 100]",
        }
        for k, v in A["dit"].items():
            if k == "proj_out":
                continue
            m = meanings.get(k) or f"output of transformer block {k[5:-4]} [B, T, dim]"
            save(f"{cdir}/dit_step1_{k}", v, "step 1: " + m, A64["dit"][k])
        mel_in, audio_out = A["voc"][0]
        mel_in64, audio_out64 = A64["voc"][0]
        vname = "Generator (v4 HiFi-GAN, 480x)" if version == "v4" else "BigVGAN (256x)"
        save(
            f"{vdir}/vocoder/mel_in",
            mel_in,
            "vocoder input = denorm_spec(cfm_res[:, :, T_min:]) = (x + 1) / 2 * 14 - 12 [1, 100, frames]",
            mel_in64,
        )
        save(
            f"{vdir}/vocoder/audio",
            audio_out,
            f"{vname}(mel_in) [1, 1, frames x {480 if version == 'v4' else 256}] at "
            f"{48000 if version == 'v4' else 24000} Hz",
            audio_out64,
        )
        with torch.no_grad():
            a_only = h64.vocoder(mel_in.double())
        files[f"{vdir}/vocoder/audio.npy"]["fp32_vs_fp64_vocoder_only_maxabs"] = max_abs(audio_out, a_only)
        noise_table[f"{vdir}/vocoder/audio"]["vocoder_only"] = files[f"{vdir}/vocoder/audio.npy"][
            "fp32_vs_fp64_vocoder_only_maxabs"
        ]
        assert torch.equal(A["audio"], audio_out[0][0])

        # ---- LoRA-merged model, same inputs and noise ---------------------------------------------------------------
        L = run_single(l32, tape_replay=A["noise"])
        L64 = run_single(l64, tape_replay=A["noise"])
        ldir = f"{vdir}/lora"
        save(
            f"{ldir}/ge",
            L["enc"][0]["out"][1],
            "as ge, LoRA file loaded over the base (ref_enc from the LoRA file)",
            L64["enc"][0]["out"][1],
        )
        save(f"{ldir}/fea_ref", L["enc"][0]["out"][0], "as fea_ref with the LoRA-merged model", L64["enc"][0]["out"][0])
        save(
            f"{ldir}/fea_todo", L["enc"][1]["out"][0], "as fea_todo with the LoRA-merged model", L64["enc"][1]["out"][0]
        )
        save(
            f"{ldir}/v_step1",
            L["steps"][0]["v"],
            "DiT output at step 1 with the merged LoRA (same noise as cfm/)",
            L64["steps"][0]["v"],
        )
        save(
            f"{ldir}/cfm_out",
            L["cfm"][0]["out"],
            "CFM.inference output after 8 steps (same noise as cfm/noise)",
            L64["cfm"][0]["out"],
        )
        est_l = l32.vits_model.cfm.estimator
        for nm in ("to_q", "to_out.0"):
            mod = est_l.transformer_blocks[0].attn.get_submodule(nm)
            save(
                f"{ldir}/merged_block0_attn_{nm.replace('.', '_')}_weight",
                mod.weight,
                f"cfm.estimator.transformer_blocks.0.attn.{nm}.weight after merge_and_unload: W + (alpha/r) B A, "
                "alpha = r",
            )
        files_lora_keys = sorted(k for k in process_ckpt.load_sovits_new(lora_path)["weight"] if "lora_" in k)[:4]
        checkpoints[f"{version}_lora"]["example_lora_keys"] = files_lora_keys

        # ---- run C: two chunks (micro T_ref / T_chunk), 4 steps ----------------------------------------------------------
        ch = MICRO_CHUNKING[version]["single"]
        C = run_single(h32, steps=PIPELINE_STEPS, chunking=ch)
        C64 = run_single(h64, tape_replay=C["noise"], steps=PIPELINE_STEPS, chunking=ch)
        pdir = f"{vdir}/two_chunk"
        assert len(C["cfm"]) == 2
        for i in range(2):
            a = C["cfm"][i]["args"]
            a64 = C64["cfm"][i]["args"]
            save(f"{pdir}/chunk{i}_mu", a[0], f"chunk {i}: CFM.inference mu [1, T, 24]", a64[0])
            save(f"{pdir}/chunk{i}_noise", C["noise"][i], f"chunk {i}: the randn drawn by CFM.inference")
            save(
                f"{pdir}/chunk{i}_cfm_out",
                C["cfm"][i]["out"],
                f"chunk {i}: CFM.inference output [1, 100, T]",
                C64["cfm"][i]["out"],
            )
        save(f"{pdir}/audio", C["audio"], "using_vocoder_synthesis return value (wav_gen[0][0])", C64["audio"])

        # ---- run D: using_vocoder_synthesis_batched_infer (the default parallel_infer path), items A and B ------------
        def run_batched(h, tape_replay=None):
            set_prompt(h, prompt_codes)
            h.vocoder_configs.update(MICRO_CHUNKING[version]["batched"])
            cfm_calls, voc_calls = [], []
            undo = record_calls(h.vits_model.cfm, "inference", cfm_calls)
            vh = h.vocoder.register_forward_hook(
                lambda m, i, o: voc_calls.append((i[0].detach().clone(), o.detach().clone()))
            )
            tape = NoiseTape()
            torch.manual_seed(SEED + 200)
            with tape.active(tape_replay):
                frags, log = quiet(
                    h.using_vocoder_synthesis_batched_infer,
                    list(BATCH_IDX),
                    [target_codes[0, 0], target_b_codes[0, 0]],
                    [target_phones[0], target_b_phones[0]],
                    speed=1.0,
                    sample_steps=PIPELINE_STEPS,
                )
            undo()
            vh.remove()
            return dict(
                frags=frags,
                cfm=cfm_calls,
                voc=voc_calls,
                noise=tape.recorded,
                seg_idx=[int(x) for x in re.findall(r"seg_idx: (\d+)", log)],
            )

        D = run_batched(h32)
        D64 = run_batched(h64, tape_replay=D["noise"])
        bdir = f"{vdir}/batched"
        a, a64 = D["cfm"][0]["args"], D64["cfm"][0]["args"]
        save(
            f"{bdir}/mu",
            a[0],
            "CFM.inference mu [n_chunks, T_prompt + chunk_len, 24]: fea_ref repeated, then the "
            "chunks of cat(fea_A, fea_B) left-padded with overlapped_len=12 zero frames, chunk starts advancing by "
            "chunk_len - 12, the last chunk zero-padded",
            a64[0],
        )
        save(f"{bdir}/x_lens", a[1], "x_lens = LongTensor([T]): ONE length for the whole batch (mask all true)")
        save(f"{bdir}/prompt", a[2], "prompt mel2 [1, 100, T_prompt] (broadcast over the batch)", a64[2])
        save(f"{bdir}/noise", D["noise"][0], "the randn [n_chunks, 100, T] drawn by CFM.inference")
        save(f"{bdir}/cfm_out", D["cfm"][0]["out"], "CFM.inference output [n_chunks, 100, T]", D64["cfm"][0]["out"])
        save(
            f"{bdir}/vocoder_audio",
            D["voc"][0][1],
            "vocoder output before SOLA [1, 1, n * chunk_len * upsample]",
            D64["voc"][0][1],
        )
        for i, nm in enumerate(("a", "b")):
            save(
                f"{bdir}/audio_{nm}",
                D["frags"][i],
                f"returned fragment for item {nm.upper()} after sola_algorithm "
                f"(overlap 12 x upsample, search 320) and trimming",
                D64["frags"][i],
            )
        batched_info = {
            "seg_idx": D["seg_idx"],
            "seg_idx_fp64": D64["seg_idx"],
            "chunking": MICRO_CHUNKING[version],
            "n_chunks": int(a[0].shape[0]),
        }

        # ---- DiT with a padded batch (training-style x_lens); GPT-SoVITS inference never builds one (v4 only) --------
        padded_info = None
        if version == "v4":
            est, est64 = h32.vits_model.cfm.estimator, h64.vits_model.cfm.estimator
            x1, cond1, mu1 = A["steps"][2]["x"], A["steps"][2]["cond"], ci[0].transpose(2, 1)
            cut = T - 20

            def padded(z):
                z2 = z.clone()
                z2[..., cut:] = 0
                return torch.cat([z, z2], 0)

            xb, cb, mb = padded(x1), padded(cond1), padded(mu1)
            tb = torch.full((2,), 2.0 / CFM_STEPS)
            db = torch.full((2,), 1.0 / CFM_STEPS)
            lens = torch.LongTensor([T, cut])
            with torch.inference_mode():
                vb = est(xb, cb, lens, tb, db, mb, infer=True)[0]
                vb64 = est64(xb.double(), cb.double(), lens, tb.double(), db.double(), mb.double(), infer=True)[0]
                v_trunc = est(
                    x1[..., :cut], cond1[..., :cut], torch.LongTensor([cut]), tb[:1], db[:1], mu1[..., :cut], infer=True
                )[0]
            mdir = f"{vdir}/dit_padded_batch"
            save(f"{mdir}/x_lens", lens, f"x_lens [T, T - 20] = [{T}, {cut}]")
            save(
                f"{mdir}/v",
                vb,
                "DiT(x, cond, x_lens, t=2/8, d=1/8, mu, infer=True) output [2, T, 100] for a padded "
                "batch built from the step-3 inputs of cfm/: x row 0 = cfm/x_after_steps_1_2_8[1][0], row 1 = the same "
                f"with columns >= {cut} zeroed; cond row 0 = zeros [100, T] with cfm/prompt in the first T_min columns, "
                "row 1 the same with columns >= cut zeroed; text (channel-major) row 0 = cfm/mu[0].T, row 1 the same "
                "with columns >= cut zeroed. Keys >= x_lens are masked in attention and attention rows >= x_lens are "
                "zeroed; the convolutions, GRN and feed-forward are not masked",
                vb64,
            )
            padded_info = {
                "row0_vs_cfm_step3_v_maxabs": max_abs(vb[0], A["steps"][2]["v"][0]),
                "row1_valid_vs_unpadded_run_maxabs": max_abs(vb[1, :cut], v_trunc[0]),
                "row1_padded_rows_absmax": float(vb[1, cut:].abs().max()),
            }

        # ---- rotary inv_freq: the checkpoint holds it in fp16 ---------------------------------------------------------
        est = h32.vits_model.cfm.estimator
        dh = MICRO_DIT["dim_head"]
        exact = 1.0 / (10000 ** (torch.arange(0, dh, 2).float() / dh))
        est2 = copy.deepcopy(est)
        est2.rotary_embed.inv_freq.copy_(exact)
        s0 = A["steps"][0]
        with torch.inference_mode():
            v_exact = est2(s0["x"], s0["cond"], ci[1], s0["t"], s0["d"], ci[0].transpose(2, 1), infer=True)[0]
        rotary_info = {
            "inv_freq_loaded": [float(v) for v in est.rotary_embed.inv_freq],
            "inv_freq_fp32_formula": [float(v) for v in exact],
            "v_step1_with_fp32_inv_freq_vs_reference_maxabs": max_abs(v_exact, s0["v"]),
        }

        return {
            "hps_model": json.loads(json.dumps(hps.model.__dict__)),
            "T": int(T),
            "T_min": int(ci[2].shape[2]),
            "batched": batched_info,
            "dit_padded_batch": padded_info,
            "rotary": rotary_info,
            "two_chunk": {"chunking": ch, "chunk_frames": [int(c["out"].shape[2]) for c in C["cfm"]]},
            "decode_encp_frames": {
                "fea_ref": int(fea_ref.shape[2]),
                "fea_todo": int(fea_todo.shape[2]),
                "fea_todo_speed1.25": int(f125.shape[2]),
            },
            "tts_definitions_lines": h32.tts_lines,
        }

    per_version = {v: make_version(v) for v in ("v4", "v3")}

    # ---- real-size parameter counts (constructors only, no data) ---------------------------------------------------------
    with torch.device("meta"):
        real_dit = orig["DiT"](**REAL_DIT)
        real_hps = make_hps("v4")
        for k, v in REAL_MODEL_CONFIG.items():
            real_hps.model[k] = v
        real_v4 = models.SynthesizerTrnV3(
            real_hps.data.filter_length // 2 + 1,
            real_hps.train.segment_size // real_hps.data.hop_length,
            n_speakers=real_hps.data.n_speakers,
            **real_hps.model,
        )
    real_dit_params = int(sum(p.numel() for p in real_dit.parameters()))
    real_v4_state = {k: list(v.shape) for k, v in real_v4.state_dict().items()}

    for name, entry in files.items():
        path = os.path.join(out_dir, name)
        entry["bytes"] = os.path.getsize(path)
        entry["sha256"] = sha256(path)
    manifest = {
        "title": "GPT-SoVITS SoVITS v4 / v3 (decode_encp + CFM/DiT + vocoder) parity fixtures",
        "source": f"GPT-SoVITS (RVC-Boss/GPT-SoVITS) commit {args.commit or git_commit(gsv_root)}",
        "x_transformers": f"lucidrains/x-transformers commit "
        f"{args.x_transformers_commit or git_commit(args.x_transformers_dir)}, version "
        f"{xt_version(args.x_transformers_dir)}, imported from {x_transformers.__name__}",
        "generator": "scripts/parity/make-v3v4-fixtures.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "peft_version": peft.__version__,
        "librosa_version": __import__("librosa").__version__,
        "computed_with": "float32, eval mode, CPU, 1 thread; fp64 figures from the same code with the models cast to "
        "float64 before loading the fp16 checkpoints and the same noise",
        "npy_format": "NumPy .npy version 1.0, C order, little-endian: float32 '<f4', int64 '<i8'",
        "micro": {
            "config_overrides": {"micro": MICRO_MODEL_CONFIG, "real": REAL_MODEL_CONFIG},
            "hard_coded_width_map": {
                "768 (ssl_dim)": MICRO_WIDTH_MAP[768],
                "512 (inter_channels2)": MICRO_WIDTH_MAP[512],
            },
            "mrte": {
                "micro": MICRO_MRTE,
                "real": {"content_enc_channels": 192, "hidden_size": 512, "out_channels": 192},
            },
            "mel_style_encoder_style_hidden": {"micro": MICRO_STYLE_HIDDEN, "real": 128},
            "dit": {
                "micro": {**MICRO_DIT, "text_dim": MICRO_WIDTH_MAP[512], "mel_dim": 100},
                "real": {**REAL_DIT, "mel_dim": 100},
                "real_num_params": real_dit_params,
            },
            "real_v4_model": {
                "num_state_dict_tensors": len(real_v4_state),
                "num_state_dict_values": int(sum(int(np.prod(v)) for v in real_v4_state.values())),
                "shapes_of_width_carrying_tensors": {
                    k: real_v4_state[k]
                    for k in (
                        "ssl_proj.weight",
                        "quantizer.vq.layers.0._codebook.embed",
                        "enc_p.ssl_proj.weight",
                        "enc_p.mrte.c_pre.weight",
                        "ref_enc.spectral.0.fc.weight",
                        "bridge.0.weight",
                        "wns1.enc.cond_layer.weight_v",
                        "linear_mel.weight",
                        "cfm.estimator.time_embed.time_mlp.0.weight",
                        "cfm.estimator.text_embed.text_blocks.0.pwconv1.weight",
                        "cfm.estimator.input_embed.proj.weight",
                        "cfm.estimator.input_embed.conv_pos_embed.conv1d.0.weight",
                        "cfm.estimator.rotary_embed.inv_freq",
                        "cfm.estimator.transformer_blocks.0.attn_norm.linear.weight",
                        "cfm.estimator.transformer_blocks.0.attn.to_q.weight",
                        "cfm.estimator.transformer_blocks.0.ff.ff.0.0.weight",
                        "cfm.estimator.norm_out.linear.weight",
                        "cfm.estimator.proj_out.weight",
                    )
                },
            },
            "v4_vocoder_upsample_initial_channel": {"micro": MICRO_V4_VOCODER_CHANNEL, "real": 512},
            "bigvgan_upsample_initial_channel": {
                "micro": BIGVGAN_MICRO_CONFIG["upsample_initial_channel"],
                "real": 1536,
            },
            "lora_rank": LORA_RANK,
            "inputs": {
                "ref_seconds": REF_SECONDS,
                "prompt_tokens": 14,
                "target_tokens": N_TARGET,
                "target_b_tokens": N_TARGET_B,
                "batched_idx_list": list(BATCH_IDX),
                "cfm_steps": CFM_STEPS,
                "pipeline_steps": PIPELINE_STEPS,
            },
        },
        "checkpoints": checkpoints,
        "per_version": per_version,
        "noise": noise_table,
        "files": files,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    shutil.rmtree(work, ignore_errors=True)
    total = 0
    for root, _dirs, names in os.walk(out_dir):
        total += sum(os.path.getsize(os.path.join(root, n)) for n in names)
    print(
        json.dumps(
            {
                "total_bytes": total,
                "per_version": {
                    k: {kk: vv for kk, vv in v.items() if kk != "tts_definitions_lines"} for k, v in per_version.items()
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
