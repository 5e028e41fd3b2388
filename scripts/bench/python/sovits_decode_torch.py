"""Times GPT-SoVITS's own PyTorch SoVITS decode per second of audio: the vocoder baseline users actually run.

`npm run bench` (suite `engine`, scenario `engine.torch-sovits-decode`) runs this right after gsv-edge's SoVITS
decoder scenario (`engine.vocoder-t*`), in the same run, on the bench's own synthetic checkpoint
(WORK/models/sovits.pth), so the ratios are measured side by side. It is not part of the product or the tests, and
GPT-SoVITS's code is never copied into this repository: the user's checkout is imported from `--gpt-sovits-dir`.

What runs is GPT-SoVITS's code, unmodified: `SynthesizerTrn.decode(codes, text, refer, speed=1)` from
GPT_SoVITS/module/models.py, the call TTS.py makes per segment for v1/v2 models (`vits_model.decode(...)` with
`refer_audio_spec`, a list of one reference spectrogram, and noise scale 0.5), under its own `torch.no_grad()`, in
fp32 on the CPU as TTS.py runs there. The model is built as `TTS.init_vits_weights` builds it: the checkpoint's
config (`SynthesizerTrn(filter_length // 2 + 1, segment_size // hop_length, n_speakers=..., **hps.model)`), its
weights loaded with GPT-SoVITS's `load_sovits_new` and `strict=False` (enc_q is not stored), then `.eval()`.
Without `--checkpoint` it is built from the checkout's configs/s2.json (the full-size v2 hyper-parameters, the same
shapes as the bench's synthetic set) and left randomly initialised: its time does not depend on the values.

Per token count N and run: N random semantic codes, `--phones` random phone ids, and a reference spectrogram of
`--ref-seconds` of random audio made by the checkout's own `spectrogram_torch` (filter 2048, hop 640, as
`TTS._get_ref_spec`). One untimed call per point first (warm-up), then `--runs` timed calls; medians. The reference
encoder (`ref_enc`, which TTS.py runs inside every decode call and gsv-edge runs once per voice) is timed inside the
call with forward hooks, so the figure is given with and without it. Milliseconds per audio second = decode time /
(output samples / 32000).

Shims (only when the module is missing): `x_transformers` (RotaryEmbedding / apply_rotary_pos_emb, imported at
module level by the v3/v4 DiT that models.py imports; a v2 SynthesizerTrn never calls them, and the stubs raise if
anything does). The model's own prints go to stderr. Where NNPACK cannot start on the CPU it is switched off, which
only stops torch retrying it (and logging so) at every convolution.

Prints one stdout line `@@bench-result {"metrics": ..., "notes": [...]}` (the bench's scenario protocol) and, when
GSV_BENCH_RSS_FILE is set, writes its peak RSS there. Usage:

    python scripts/bench/python/sovits_decode_torch.py --gpt-sovits-dir GPT-SoVITS [--checkpoint WORK/models/sovits.pth] \
        [--threads 2] [--tokens 40,100] [--phones 40] [--runs 5] [--ref-seconds 5]
"""

import argparse
import contextlib
import json
import os
import resource
import sys
import time
import types

RESULT_MARKER = "@@bench-result "


def int_list(text):
    values = [int(part) for part in text.split(",")]
    if not values or any(value < 1 for value in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text}")
    return values


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 == 1 else (ordered[middle - 1] + ordered[middle]) / 2


def shim_x_transformers():
    """models.py imports the v3/v4 DiT at module level, which imports x_transformers; v2 never uses it."""
    try:
        import x_transformers.x_transformers  # noqa: F401
        return False
    except ImportError:
        pass

    def unavailable(*args, **kwargs):
        raise RuntimeError("x_transformers is not installed: only the v3/v4 DiT needs it, not the v2 SoVITS decode")

    package = types.ModuleType("x_transformers")
    inner = types.ModuleType("x_transformers.x_transformers")
    inner.RotaryEmbedding = unavailable
    inner.apply_rotary_pos_emb = unavailable
    package.x_transformers = inner
    sys.modules["x_transformers"] = package
    sys.modules["x_transformers.x_transformers"] = inner
    return True


def build_model(gsv_root, checkpoint):
    """SynthesizerTrn as TTS.init_vits_weights builds it (v1/v2 branch); random weights without a checkpoint."""
    from module.models import SynthesizerTrn  # imported here: needs the checkout on sys.path

    if checkpoint is None:
        with open(os.path.join(gsv_root, "GPT_SoVITS", "configs", "s2.json"), encoding="utf-8") as handle:
            hps = json.load(handle)
        weights = None
    else:
        from process_ckpt import load_sovits_new  # what TTS.init_vits_weights reads .pth files with

        saved = load_sovits_new(checkpoint)
        hps = saved["config"]
        weights = saved["weight"]
    model_args = dict(hps["model"].items())
    model_args["semantic_frame_rate"] = "25hz"
    if weights is not None:
        # TTS.py's rule: a 322-row text embedding is v1, anything else v2 (v2Pro/v3/v4 are named by the caller).
        model_args["version"] = "v1" if weights["enc_p.text_embedding.weight"].shape[0] == 322 else "v2"
    version = model_args.get("version", "v2")
    if version not in ("v1", "v2"):
        raise SystemExit(f"this baseline times the v1/v2 SynthesizerTrn; the checkpoint is {version}")
    data = hps["data"]
    model = SynthesizerTrn(
        data["filter_length"] // 2 + 1,
        hps["train"]["segment_size"] // data["hop_length"],
        n_speakers=data["n_speakers"],
        **model_args,
    )
    if weights is not None:
        result = model.load_state_dict(weights, strict=False)
        # enc_q (the posterior encoder, training only) is not stored; anything else missing would mean random parts.
        missing = [name for name in result.missing_keys if not name.startswith("enc_q.")]
        if missing or result.unexpected_keys:
            raise SystemExit(f"the checkpoint does not fit SynthesizerTrn: missing {missing[:5]}, unexpected {result.unexpected_keys[:5]}")
    model = model.float().eval()
    return model, data, version


class RefEncTimer:
    """Forward hooks on `ref_enc`: how long the reference encoder took inside the last decode call."""

    def __init__(self, module):
        self.started = None
        self.total = 0.0
        module.register_forward_pre_hook(self.before)
        module.register_forward_hook(self.after)

    def before(self, module, inputs):
        self.started = time.perf_counter()

    def after(self, module, inputs, output):
        self.total += time.perf_counter() - self.started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gpt-sovits-dir", required=True, help="a GPT-SoVITS checkout (GPT_SoVITS/module is imported)")
    parser.add_argument("--checkpoint", help="a GPT-SoVITS v1/v2 SoVITS checkpoint (.pth); random weights without one")
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    parser.add_argument("--tokens", type=int_list, default=[40, 100], help="semantic tokens per decode call (25 per second)")
    parser.add_argument("--phones", type=int, default=40, help="phone ids per call (gsv-edge's vocoder scenario: 40)")
    parser.add_argument("--runs", type=int, default=5, help="timed calls per token count, after one warm-up call")
    parser.add_argument("--ref-seconds", type=float, default=5.0, help="length of the reference audio")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    if args.runs < 1 or args.phones < 1 or args.ref_seconds <= 0:
        raise SystemExit("--runs and --phones must be positive, --ref-seconds above 0")

    import torch

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    # Where NNPACK cannot start, every convolution retries it and logs "Could not initialize NNPACK" (dozens of lines
    # per call); switching it off there changes no kernel (it was unusable) and keeps the bench's log readable.
    nnpack_off = not torch.backends.nnpack.is_available()
    if nnpack_off:
        torch.backends.nnpack.set_flags(False)
    shimmed = shim_x_transformers()
    gsv_root = os.path.abspath(args.gpt_sovits_dir)
    # TTS.py runs with both on the path: models.py imports `module.*` and `text`, its DiT `GPT_SoVITS.f5_tts`.
    sys.path[:0] = [os.path.join(gsv_root, "GPT_SoVITS"), gsv_root]

    def log(message):
        sys.stderr.write(f"{message}\n")
        sys.stderr.flush()

    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        from module.mel_processing import spectrogram_torch

        model, data, version = build_model(gsv_root, args.checkpoint)
    load_seconds = time.perf_counter() - started
    ref_timer = RefEncTimer(model.ref_enc)
    sampling_rate = data["sampling_rate"]
    symbols = model.enc_p.text_embedding.num_embeddings
    codebook = model.quantizer.bins
    log(
        f"  torch {torch.__version__}: SynthesizerTrn {version} "
        + ("random weights" if args.checkpoint is None else f"from {args.checkpoint}")
        + f" in {load_seconds:.1f} s; {torch.get_num_threads()} thread(s)"
    )

    # A reference spectrogram as TTS._get_ref_spec makes it (center=False), from random audio in [-1, 1].
    ref_audio = torch.rand(1, int(args.ref_seconds * sampling_rate)) * 2 - 1
    refer = spectrogram_torch(ref_audio, data["filter_length"], sampling_rate, data["hop_length"], data["win_length"], center=False)

    def decode(tokens):
        codes = torch.randint(0, codebook, (1, 1, tokens))
        phones = torch.randint(0, symbols, (1, args.phones))
        ref_timer.total = 0.0
        begin = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            audio = model.decode(codes, phones, [refer], speed=1)
        elapsed = time.perf_counter() - begin
        return elapsed * 1000, ref_timer.total * 1000, audio.shape[-1] / sampling_rate

    metrics = {}
    for tokens in args.tokens:
        decode(tokens)  # warm-up: first-call allocations and oneDNN primitive creation for this length
        calls = [decode(tokens) for _ in range(args.runs)]
        key = f"t{tokens}"
        audio_seconds = calls[0][2]
        decode_ms = median([call[0] for call in calls])
        ref_ms = median([call[1] for call in calls])
        without_ref = median([call[0] - call[1] for call in calls])
        metrics[f"{key}_decode_ms"] = decode_ms
        metrics[f"{key}_decode_min_ms"] = min(call[0] for call in calls)
        metrics[f"{key}_ref_enc_ms"] = ref_ms
        metrics[f"{key}_audio_seconds"] = audio_seconds
        metrics[f"{key}_ms_per_audio_second"] = decode_ms / audio_seconds
        metrics[f"{key}_ms_per_audio_second_without_ref_enc"] = without_ref / audio_seconds
        metrics[f"{key}_runs"] = len(calls)
        log(
            f"  torch {torch.__version__}, {tokens} tokens ({audio_seconds:.2f} s of audio): median {decode_ms:.0f} ms "
            f"= {decode_ms / audio_seconds:.0f} ms per audio second (reference encoder {ref_ms:.1f} ms of it); "
            f"runs {' '.join(f'{call[0]:.0f}' for call in calls)} ms"
        )

    metrics["torch_threads"] = torch.get_num_threads()
    metrics["reference_frames"] = refer.shape[-1]
    metrics["load_seconds"] = load_seconds
    metrics["random_weights"] = 1 if args.checkpoint is None else 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    metrics["peak_rss_bytes"] = peak
    rss_file = os.environ.get("GSV_BENCH_RSS_FILE")
    if rss_file:
        with open(rss_file, "w", encoding="utf-8") as handle:
            json.dump({"max_rss_bytes": peak}, handle)
    notes = [
        f"torch {torch.__version__}, {torch.get_num_threads()} intra-op thread(s), fp32 CPU, Python {sys.version.split()[0]}",
        (
            f"GPT-SoVITS SynthesizerTrn.decode ({version}) from {gsv_root}, "
            + ("random weights (configs/s2.json)" if args.checkpoint is None else f"weights {args.checkpoint}")
            + f"; {args.phones} phones, a {args.ref_seconds:g}-s reference ({refer.shape[-1]} frames), speed 1, noise scale 0.5"
        ),
        f"one warm-up call then {args.runs} timed calls per token count, medians; the reference encoder (run in every call) is included and also given apart",
    ]
    if nnpack_off:
        notes.append("NNPACK unavailable on this CPU (torch falls back to its other kernels either way): switched off to quiet its log")
    if shimmed:
        notes.append("x_transformers was absent: its two names (used only by the v3/v4 DiT) stubbed")
    sys.stdout.write(f"{RESULT_MARKER}{json.dumps({'metrics': metrics, 'notes': notes})}\n")


if __name__ == "__main__":
    main()
