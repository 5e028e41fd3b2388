"""Times GPT-SoVITS's own PyTorch T2S loop per decode step: the baseline users actually run.

`npm run bench` (suite `engine`, scenario `engine.torch-steps`) runs this beside gsv-edge's decode step, in the same
run, on the bench's own synthetic checkpoint (WORK/models/gpt.ckpt), so the ratios are measured side by side. It is
not part of the product or the tests, and GPT-SoVITS's code is never copied into this repository: the user's
checkout is imported from `--gpt-sovits-dir`.

What runs is GPT-SoVITS's code, unmodified: `Text2SemanticDecoder.infer_panel_batch_infer` from
GPT_SoVITS/AR/models/t2s_model.py (what `TTS.py` calls with `parallel_infer`, its default, also at batch 1), with
TTS.py's default sampling (top_k 15, top_p 1, temperature 1, repetition penalty 1.35) under `torch.no_grad()`, in
fp32 on the CPU as TTS.py runs there. The decoder is built directly with the config of the checkpoint, as
`Text2SemanticLightningModule` (which only wraps it and imports pytorch_lightning) builds it.

Per (batch, cache length L) and round: every row holds `--phones` phones (random ids, random BERT features) and a
prompt of L - phones semantic tokens, so the prefill (`process_prompt`) leaves exactly L cache entries, as the
engine's step scenario does; `early_stop_num` ends the loop after warmup + steps decode steps. The loop's
`t2s_transformer` is wrapped so every `decode_next_token` call is timestamped: a step's time is from one call's
start to the next one's, which covers the whole iteration (the 24 blocks, the predict layer, the mask padding,
`sample` with repetition penalty and top-k, the EOS checks and the next step's embedding). The first `--warmup`
decode steps are not timed, so the timed steps hold caches L + warmup ... as in the engine's scenario. A step whose
batch was not the full batch (a row sampled EOS and was removed, as the loop does) is not counted.

Shims (only when the module is missing): `torchmetrics.classification.MulticlassAccuracy` (a training metric the
decoder builds in __init__ and never uses in inference). tqdm is disabled (TQDM_DISABLE) so its bar does not flood
the bench's log. The loop's own prints go to stderr.

Prints one stdout line `@@bench-result {"metrics": ..., "notes": [...]}` (the bench's scenario protocol) and, when
GSV_BENCH_RSS_FILE is set, writes its peak RSS there. Usage:

    python scripts/bench/python/t2s_torch_loop.py --gpt-sovits-dir GPT-SoVITS --checkpoint WORK/models/gpt.ckpt \
        [--threads 2] [--batches 1,16] [--lengths 150,500,1000] [--warmup 2] [--steps 8] [--rounds 1]
"""

import argparse
import contextlib
import json
import os
import resource
import sys
import time
import types

os.environ.setdefault("TQDM_DISABLE", "1")

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


def shim_torchmetrics(torch):
    """MulticlassAccuracy is built by Text2SemanticDecoder.__init__ for training only; stub it when missing."""
    try:
        import torchmetrics.classification  # noqa: F401
        return False
    except ImportError:
        pass

    class MulticlassAccuracy(torch.nn.Module):
        def __init__(self, *args, **kwargs):
            super().__init__()

    package = types.ModuleType("torchmetrics")
    classification = types.ModuleType("torchmetrics.classification")
    classification.MulticlassAccuracy = MulticlassAccuracy
    package.classification = classification
    sys.modules["torchmetrics"] = package
    sys.modules["torchmetrics.classification"] = classification
    return True


class TimedTransformer:
    """Stands in for the jit-scripted T2STransformer: forwards both calls, timestamps each decode step."""

    def __init__(self, inner):
        self.inner = inner
        self.num_blocks = inner.num_blocks
        self.calls = []  # (perf_counter at the call's start, batch rows, cache entries before the step)

    def process_prompt(self, *args, **kwargs):
        return self.inner.process_prompt(*args, **kwargs)

    def decode_next_token(self, x, k_cache, v_cache, *args, **kwargs):
        self.calls.append((time.perf_counter(), x.shape[0], k_cache[0].shape[1]))
        return self.inner.decode_next_token(x, k_cache, v_cache, *args, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gpt-sovits-dir", required=True, help="a GPT-SoVITS checkout (GPT_SoVITS/AR is imported)")
    parser.add_argument("--checkpoint", required=True, help="a GPT-SoVITS GPT checkpoint (.ckpt)")
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    parser.add_argument("--batches", type=int_list, default=[1, 16])
    parser.add_argument("--lengths", type=int_list, default=[150, 500, 1000])
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--top-k", type=int, default=15, help="TTS.py's default")
    parser.add_argument("--repetition-penalty", type=float, default=1.35, help="TTS.py's default")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()

    import torch

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    shimmed = shim_torchmetrics(torch)
    gsv_root = os.path.abspath(args.gpt_sovits_dir)
    sys.path.insert(0, os.path.join(gsv_root, "GPT_SoVITS"))
    from AR.models.t2s_model import Text2SemanticDecoder  # noqa: E402 (needs the path above)

    def log(message):
        sys.stderr.write(f"{message}\n")
        sys.stderr.flush()

    saved = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    config = saved["config"]
    decoder = Text2SemanticDecoder(config=config, top_k=3)
    weights = {name[len("model.") :]: value.float() for name, value in saved["weight"].items() if name.startswith("model.")}
    decoder.load_state_dict(weights, strict=True)
    decoder.eval()
    timed = TimedTransformer(decoder.t2s_transformer)
    decoder.t2s_transformer = timed
    eos = decoder.EOS

    def run_loop(batch, length, decode_steps):
        """One infer_panel_batch_infer call: a prefill to `length` cache entries, then `decode_steps` decode steps."""
        phones = [torch.randint(0, decoder.phoneme_vocab_size, (args.phones,)) for _ in range(batch)]
        bert = [torch.randn(1024, args.phones) for _ in range(batch)]
        prompts = torch.randint(0, eos, (batch, length - args.phones))
        timed.calls = []
        with torch.no_grad(), contextlib.redirect_stdout(sys.stderr):
            decoder.infer_panel_batch_infer(
                phones,
                torch.LongTensor([args.phones] * batch),
                prompts,
                bert,
                top_k=args.top_k,
                top_p=1,
                temperature=1,
                # The loop stops once more than early_stop_num tokens were generated: the prefill's + decode_steps.
                early_stop_num=decode_steps,
                repetition_penalty=args.repetition_penalty,
            )
        if timed.calls and timed.calls[0][2] != length:
            raise SystemExit(f"the prefill left {timed.calls[0][2]} cache entries, expected {length}")
        return timed.calls

    for length in args.lengths:
        if length - args.phones < 1:
            raise SystemExit(f"--lengths: {length} leaves no prompt token after {args.phones} phones")
    # TorchScript profiles and optimises the scripted blocks on their first calls: done once, untimed.
    run_loop(1, min(args.lengths), 4)

    metrics = {}
    for batch in args.batches:
        for length in args.lengths:
            durations = []
            partial = 0
            for _ in range(args.rounds):
                # warmup + steps + 1 decode calls: the last one closes the last timed step.
                calls = run_loop(batch, length, args.warmup + args.steps + 1)
                for index in range(args.warmup, len(calls) - 1):
                    if calls[index][1] == batch and calls[index + 1][1] == batch:
                        durations.append((calls[index + 1][0] - calls[index][0]) * 1000)
                    else:
                        partial += 1
            key = f"b{batch}_l{length}"
            metrics[f"{key}_step_ms"] = median(durations) if durations else None
            metrics[f"{key}_step_mean_ms"] = sum(durations) / len(durations) if durations else None
            metrics[f"{key}_step_min_ms"] = min(durations) if durations else None
            metrics[f"{key}_timed_steps"] = len(durations)
            metrics[f"{key}_partial_batch_steps"] = partial
            step = metrics[f"{key}_step_ms"]
            log(
                f"  torch {torch.__version__}, batch {batch}, cache {length}: "
                + (f"median {step:.1f} ms/step over {len(durations)} steps" if step is not None else "no full-batch step timed")
                + (f" ({partial} steps left out: rows that reached EOS)" if partial else "")
                + f"; steps {' '.join(f'{duration:.0f}' for duration in durations)} ms"
            )

    metrics["torch_threads"] = torch.get_num_threads()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    metrics["peak_rss_bytes"] = peak
    rss_file = os.environ.get("GSV_BENCH_RSS_FILE")
    if rss_file:
        with open(rss_file, "w", encoding="utf-8") as handle:
            json.dump({"max_rss_bytes": peak}, handle)
    notes = [
        f"torch {torch.__version__}, {torch.get_num_threads()} intra-op thread(s), fp32 CPU, Python {sys.version.split()[0]}",
        (
            f"GPT-SoVITS Text2SemanticDecoder.infer_panel_batch_infer from {gsv_root}; top_k {args.top_k}, top_p 1, "
            f"temperature 1, repetition penalty {args.repetition_penalty} (TTS.py's defaults)"
        ),
        (
            f"{args.rounds} round(s) of {args.warmup} warm-up + {args.steps} timed decode steps per point after a "
            f"prefill to the cache length ({args.phones} phones + prompt), medians; sampling, masks and embedding included"
        ),
    ]
    if shimmed:
        notes.append("torchmetrics was absent: MulticlassAccuracy (training only) stubbed")
    sys.stdout.write(f"{RESULT_MARKER}{json.dumps({'metrics': metrics, 'notes': notes})}\n")


if __name__ == "__main__":
    main()
