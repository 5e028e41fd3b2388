"""Writes the speaker-verification (v2Pro sv_emb) parity fixtures into gpu-function/test/fixtures/sv/ with
GPT-SoVITS's own code: its Kaldi fbank copy (GPT_SoVITS/eres2net/kaldi.py) and its ERes2NetV2 (forward3).

A micro ERes2NetV2 keeps the real block structure (BasicBlockERes2NetV2 in layers 1-2, the AFF-fused blocks in
layers 3-4, layer3_ds, fuse34, forward3's flatten + time mean) with small widths, so its checkpoint stays about
1 MB. Its weights are random; every BatchNorm's running statistics, weight and bias are randomised too, so a port
that ignores eval-mode BatchNorm fails. The checkpoint is a plain `torch.save(model.state_dict())`, like
`GPT_SoVITS/pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt`, and the references are computed from a fresh
model that `load_state_dict`s it, as `GPT_SoVITS/sv.py` does.

Needs PyTorch and numpy, and a GPT-SoVITS checkout or export (only GPT_SoVITS/eres2net is imported). Usage:

    python scripts/parity/make-sv-fixtures.py GPT-SoVITS gpu-function/test/fixtures/sv [--commit SHA]

Deterministic: re-running it writes byte-identical .npy files (one CPU thread, fixed seeds).
"""

import argparse
import copy
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

SAMPLE_RATE = 16000
SEED = 20240731
# Micro widths: m_channels 6 keeps the checkpoint near 1 MB (layer3_ds alone is 9 * 32m^2 * 4 bytes, 1.2 MB at
# m_channels 8) and makes every derived width a non-power of two that needs GPT-SoVITS's floor():
# width = floor(planes * 24 / 64) = 2, 4, 9, 18; AFF inter channels 9 // 4 = 2 and 18 // 4 = 4.
# Two blocks in layers 1-3 cover the identity-shortcut (non-first) path of both block kinds.
# embedding_size only sizes seg_1, which forward3 never uses; 2 keeps that dead weight small.
MICRO_ARGS = dict(baseWidth=24, scale=4, expansion=4, m_channels=6, num_blocks=[2, 2, 2, 1], embedding_size=2)
REAL_ARGS = dict(baseWidth=24, scale=4, expansion=4)
FBANK_ARGS = dict(num_mel_bins=80, sample_frequency=SAMPLE_RATE, dither=0)


def harmonic_signal(seconds, f0, harmonics, am_hz, am_depth, vibrato_hz, noise, peak, seed, silence=0.0):
    """Harmonic tones with amplitude modulation, a slow vibrato and a little white noise, scaled to `peak`.
    `silence` seconds of exact zeros at the start give frames whose mel energies hit kaldi's epsilon floor."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * SAMPLE_RATE))
    t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    phase = 2 * np.pi * (f0 * t + 0.015 * f0 / vibrato_hz * np.sin(2 * np.pi * vibrato_hz * t))
    x = sum(np.sin(k * phase + 0.7 * k) / k for k in range(1, harmonics + 1))
    x = x * (1 - am_depth + am_depth * 0.5 * (1 + np.sin(2 * np.pi * am_hz * t)))
    x = x + noise * rng.standard_normal(n)
    x = x * (peak / np.max(np.abs(x)))
    x[: int(round(silence * SAMPLE_RATE))] = 0.0
    return x.astype(np.float32)


SIGNALS = {
    # name: (description, arguments)
    "a": ("3.2 s, f0 140 Hz, 12 harmonics, 3 Hz AM, noise 0.003, peak 0.6",
          dict(seconds=3.2, f0=140.0, harmonics=12, am_hz=3.0, am_depth=0.5, vibrato_hz=5.0, noise=0.003, peak=0.6, seed=1)),
    "b": ("1.7 s, f0 220 Hz, 8 harmonics, 5 Hz AM, noise 0.002, peak 0.5, first 0.05 s exact zeros",
          dict(seconds=1.7, f0=220.0, harmonics=8, am_hz=5.0, am_depth=0.7, vibrato_hz=4.0, noise=0.002, peak=0.5, seed=2, silence=0.05)),
    # Only its fbank is stored: it is the second row of the batch-2 embedding.
    "c": ("3.2 s, f0 97 Hz, 20 harmonics, 2 Hz AM, noise 0.004, peak 0.7",
          dict(seconds=3.2, f0=97.0, harmonics=20, am_hz=2.0, am_depth=0.4, vibrato_hz=6.0, noise=0.004, peak=0.7, seed=3)),
}


def randomize(model, generator):
    """Random conv weights at fan-in scale (the BatchNorms are set by calibrate_and_perturb_bn)."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                fan_in = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
                module.weight.normal_(0.0, 1.3 / fan_in**0.5, generator=generator)
                if module.bias is not None:
                    module.bias.uniform_(-0.3, 0.3, generator=generator)
            elif isinstance(module, nn.Linear):
                module.weight.normal_(0.0, 0.01, generator=generator)
                module.bias.zero_()


def calibrate_and_perturb_bn(model, batches, generator):
    """Gives every BatchNorm the real statistics of its eval-mode input (BatchNorms calibrated one at a time, in
    execution order), so activations stay O(1) and fp32 rounding is not amplified, then perturbs them: mean +=
    0.2 std N(0, 1), var *= U(0.6, 1.6), weight U(0.5, 1.5), bias 0.2 N(0, 1). In the BatchNorms a block's
    Hardtanh(0, 20) follows, about one channel in ten gets bias +21, so the clip at 20 is reached."""
    order = []
    hooks = [m.register_forward_pre_hook(lambda mod, _inputs: order.append(mod) if mod not in order else None)
             for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    model.eval()
    with torch.no_grad():
        model.forward3(batches[0].clone())
    for h in hooks:
        h.remove()
    clipped = {m for name, m in model.named_modules() if "layer" in name and (name.endswith(".bn1") or ".bns." in name)}
    for bn in order:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration passes
        bn.train()
        with torch.no_grad():
            for batch in batches:
                model.forward3(batch.clone())
        bn.eval()
        bn.momentum = 0.1
        with torch.no_grad():
            c = bn.num_features
            bn.running_mean.add_(0.2 * bn.running_var.sqrt() * torch.randn(c, generator=generator))
            bn.running_var.mul_(torch.empty(c).uniform_(0.6, 1.6, generator=generator))
            bn.weight.copy_(torch.empty(c).uniform_(0.5, 1.5, generator=generator))
            bn.bias.copy_(0.2 * torch.randn(c, generator=generator))
            if bn in clipped:
                bn.bias.add_(21.0 * (torch.rand(c, generator=generator) < 0.1))


def clip_statistics(model, fbank):
    """How often the blocks' Hardtanh(0, 20) clips at 20 and at 0, so the fixture provably exercises both ends."""
    counts = {"values": 0, "above_20": 0, "below_0": 0, "max_input": 0.0}

    def count(_module, inputs):
        x = inputs[0]
        counts["values"] += x.numel()
        counts["above_20"] += int((x > 20).sum())
        counts["below_0"] += int((x < 0).sum())
        counts["max_input"] = max(counts["max_input"], float(x.max()))

    # A pre-hook: the blocks' Hardtanh is in place, so a forward hook would only see clipped values.
    relu_type = type(model.layer1[0].relu)
    handles = [m.register_forward_pre_hook(count) for m in model.modules() if isinstance(m, relu_type)]
    with torch.no_grad():
        model.forward3(fbank.clone())
    for h in handles:
        h.remove()
    return {
        "hardtanh_inputs": counts["values"],
        "fraction_above_20": counts["above_20"] / counts["values"],
        "fraction_below_0": counts["below_0"] / counts["values"],
        "max_input": counts["max_input"],
    }


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def max_abs(a, b):
    return float((a.double() - b.double()).abs().max())


def git_commit(root):
    try:
        return subprocess.check_output(["git", "-C", root, "rev-parse", "HEAD"], stderr=subprocess.DEVNULL, text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gpt_sovits_dir", help="a GPT-SoVITS checkout or export (holding GPT_SoVITS/eres2net)")
    parser.add_argument("out_dir", help="where to write the fixtures (gpu-function/test/fixtures/sv)")
    parser.add_argument("--commit", help="GPT-SoVITS commit to record when the checkout has no .git")
    args = parser.parse_args()

    # ERes2NetV2.py imports `pooling_layers` and `fusion` as top-level modules, as sv.py arranges with sys.path.
    sys.path.insert(0, os.path.join(args.gpt_sovits_dir, "GPT_SoVITS", "eres2net"))
    import kaldi  # noqa: E402
    from ERes2NetV2 import ERes2NetV2  # noqa: E402

    torch.backends.nnpack.set_flags(False)  # unavailable on most CPUs; it only warns
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    os.makedirs(args.out_dir, exist_ok=True)
    files = {}

    def save(name, array, meaning):
        path = os.path.join(args.out_dir, name)
        array = np.ascontiguousarray(array)
        np.save(path, array)
        files[name] = {"dtype": str(array.dtype), "shape": list(array.shape), "meaning": meaning}

    def fbank(wave):
        # As GPT_SoVITS/sv.py: Kaldi.fbank(wav0.unsqueeze(0), num_mel_bins=80, sample_frequency=16000, dither=0)
        return kaldi.fbank(wave.unsqueeze(0), **FBANK_ARGS)

    waves = {k: torch.from_numpy(harmonic_signal(**spec)) for k, (_, spec) in SIGNALS.items()}
    fbanks = {k: fbank(w) for k, w in waves.items()}
    fbanks64 = {k: fbank(w.double()) for k, w in waves.items()}

    # Build, randomise, calibrate on the three signals, save the state dict as the pretrained checkpoint is saved.
    generator = torch.Generator().manual_seed(SEED)
    model = ERes2NetV2(**MICRO_ARGS)
    randomize(model, generator)
    calibrate_and_perturb_bn(model, [torch.stack([fbanks["a"], fbanks["c"]]), fbanks["b"][None]], generator)
    ckpt_name = "sv_micro.ckpt"
    ckpt_path = os.path.join(args.out_dir, ckpt_name)
    torch.save(model.state_dict(), ckpt_path)

    # References from a fresh model loaded the way sv.py loads the pretrained one.
    loaded = ERes2NetV2(**MICRO_ARGS)
    loaded.load_state_dict(torch.load(ckpt_path, map_location="cpu", weights_only=False))
    loaded.eval()
    model64 = copy.deepcopy(loaded).double()

    def embed(net, feats):
        with torch.no_grad():
            return net.forward3(torch.stack(feats))

    emb = {
        "a": embed(loaded, [fbanks["a"]]),
        "b": embed(loaded, [fbanks["b"]]),
        "ac": embed(loaded, [fbanks["a"], fbanks["c"]]),
    }
    for k in ("a", "b"):
        save(f"wave_{k}.npy", waves[k].numpy(), f"16 kHz test signal {k}: {SIGNALS[k][0]}")
    for k in ("a", "b", "c"):
        frames = fbanks[k].shape[0]
        save(f"fbank_{k}.npy", fbanks[k].numpy(), f"kaldi.fbank of signal {k} (80 bins, dither 0), {frames} frames")
    save("embedding_a.npy", emb["a"].numpy(), "forward3(stack([fbank_a])): batch 1")
    save("embedding_b.npy", emb["b"].numpy(), "forward3(stack([fbank_b])): batch 1, the shorter signal")
    save("embedding_ac.npy", emb["ac"].numpy(), "forward3(stack([fbank_a, fbank_c])): batch 2, equal lengths")

    # Noise figures: the same code in float64 (model.double(); fbank of wave.double(), whose mel banks kaldi.py
    # still builds in float32), and the batch-1 vs batch-2 difference of row a.
    noise = {"fbank": {}, "embedding": {}}
    for k in ("a", "b", "c"):
        noise["fbank"][k] = {"fp32_vs_fp64_maxabs": max_abs(fbanks[k], fbanks64[k]), "absmax": float(fbanks[k].abs().max()),
                             "min": float(fbanks[k].min())}
    model_only = {"a": [fbanks["a"]], "b": [fbanks["b"]], "ac": [fbanks["a"], fbanks["c"]]}
    pipeline64 = {"a": [fbanks64["a"]], "b": [fbanks64["b"]], "ac": [fbanks64["a"], fbanks64["c"]]}
    for k, feats in model_only.items():
        noise["embedding"][k] = {
            "fp32_vs_fp64_model_maxabs": max_abs(emb[k], embed(model64, [f.double() for f in feats])),
            "fp32_vs_fp64_pipeline_maxabs": max_abs(emb[k], embed(model64, pipeline64[k])),
            "absmax": float(emb[k].abs().max()),
        }
    noise["embedding"]["ac"]["row0_vs_batch1_a_maxabs"] = max_abs(emb["ac"][0], emb["a"][0])
    torch.set_num_threads(2)
    noise["embedding"]["a"]["threads2_vs_threads1_maxabs"] = max_abs(emb["a"], embed(loaded, [fbanks["a"]]))
    torch.set_num_threads(1)

    state = loaded.state_dict()
    forward3_tensors = {k: v for k, v in state.items() if not k.startswith(("seg_", "pool"))}
    real = ERes2NetV2(**REAL_ARGS)
    real_state = real.state_dict()

    def params(module, skip_seg):
        return sum(p.numel() for n, p in module.named_parameters() if not (skip_seg and n.startswith("seg_")))

    for name, entry in files.items():
        path = os.path.join(args.out_dir, name)
        entry["bytes"] = os.path.getsize(path)
        entry["sha256"] = sha256(path)
    manifest = {
        "title": "GPT-SoVITS v2Pro speaker-verification (ERes2NetV2 forward3 + Kaldi fbank) parity fixtures",
        "source": f"GPT-SoVITS (RVC-Boss/GPT-SoVITS) commit {args.commit or git_commit(args.gpt_sovits_dir)}: "
                  "GPT_SoVITS/eres2net/{ERes2NetV2,fusion,kaldi}.py, called as GPT_SoVITS/sv.py does",
        "generator": "scripts/parity/make-sv-fixtures.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "computed_with": "float32, eval mode, CPU, 1 thread",
        "npy_format": "NumPy .npy version 1.0, C order, little-endian float32",
        "fbank_call": "kaldi.fbank(wave.unsqueeze(0), num_mel_bins=80, sample_frequency=16000, dither=0)",
        "signals": {k: {"description": d, "samples": int(waves[k].numel()), "frames": int(fbanks[k].shape[0]), "arguments": s}
                    for k, (d, s) in SIGNALS.items()},
        "checkpoint": {
            "file": ckpt_name,
            "bytes": os.path.getsize(ckpt_path),
            "sha256": sha256(ckpt_path),
            "format": "torch.save(model.state_dict()): a plain OrderedDict of float32 tensors (BatchNorm "
                      "num_batches_tracked int64), as the pretrained sv checkpoint; loaded with load_state_dict",
            "constructor": {"class": "ERes2NetV2", **MICRO_ARGS},
            "num_tensors": len(state),
            "num_params": params(loaded, False),
            "num_params_forward3": params(loaded, True),
            "num_values_forward3_incl_bn_stats": int(sum(v.numel() for k, v in forward3_tensors.items() if not k.endswith("num_batches_tracked"))),
            "embedding_dim": int(emb["a"].shape[1]),
            "seed": SEED,
            "weights": "convs N(0, 1.3/sqrt(fan_in)), AFF conv biases U(-0.3, 0.3); each BatchNorm's running stats "
                       "calibrated on its eval-mode input over the three signals, then mean += 0.2 std N(0,1), "
                       "var *= U(0.6, 1.6); weight U(0.5, 1.5); bias 0.2 N(0,1), +21 on about 1 in 10 channels of "
                       "the BatchNorms a block's Hardtanh(0, 20) follows",
            "hardtanh_statistics_signal_a": clip_statistics(loaded, fbanks["a"][None]),
        },
        "real_model": {
            "constructor": {"class": "ERes2NetV2", **REAL_ARGS, "m_channels": 64, "num_blocks": [3, 4, 6, 3], "feat_dim": 80,
                            "embedding_size": 192},
            "num_params": params(real, False),
            "num_params_forward3": params(real, True),
            "num_state_dict_tensors": len(real_state),
            "num_state_dict_values": int(sum(v.numel() for v in real_state.values())),
            "embedding_dim": int(embed(real.eval(), [torch.zeros(100, 80)]).shape[1]),
        },
        "noise": noise,
        "files": files,
    }
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(args.out_dir, n)) for n in os.listdir(args.out_dir))
    print(json.dumps({"total_bytes": total, "checkpoint_bytes": manifest["checkpoint"]["bytes"],
                      "embedding_dim": manifest["checkpoint"]["embedding_dim"], "noise": noise,
                      "hardtanh": manifest["checkpoint"]["hardtanh_statistics_signal_a"]}, indent=1))


if __name__ == "__main__":
    main()
