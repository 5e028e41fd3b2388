"""Writes GPT-SoVITS's own T2S stage decoder ONNX (the third graph `onnx_export.py` exports) for one checkpoint,
so `npm run bench -- --official-export FILE` can time the genuine graph beside gsv-edge's rebuilt copy of it.

Needs PyTorch, onnx and a GPT-SoVITS checkout (only its GPT_SoVITS/AR package is imported). Not used by the
product or the tests. Usage:

    python scripts/bench/official-export.py --gpt-sovits-dir GPT-SoVITS --checkpoint WORK/models/gpt.ckpt --out sdec.onnx

`onnx_export.py` builds the same module through `Text2SemanticLightningModule`, which only wraps
`Text2SemanticDecoder` (and imports pytorch_lightning); the decoder is built directly here, with the settings
`T2SModel.__init__` applies, and exported with the same names, dynamic axes and opset.
"""

import argparse
import os
import sys

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gpt-sovits-dir", required=True, help="a GPT-SoVITS checkout")
    parser.add_argument("--checkpoint", required=True, help="a GPT-SoVITS GPT (.ckpt) checkpoint")
    parser.add_argument("--out", required=True, help="where to write the stage decoder .onnx")
    parser.add_argument("--text-length", type=int, default=10, help="phones in the example input")
    parser.add_argument("--prompt-length", type=int, default=140, help="prompt tokens in the example input")
    args = parser.parse_args()

    sys.path.insert(0, os.path.join(args.gpt_sovits_dir, "GPT_SoVITS"))
    from AR.models.t2s_model_onnx import Text2SemanticDecoder  # noqa: E402 (needs the path above)

    saved = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    config = saved["config"]
    decoder = Text2SemanticDecoder(config=config, top_k=3)
    weights = {name[len("model.") :]: value.float() for name, value in saved["weight"].items() if name.startswith("model.")}
    decoder.load_state_dict(weights, strict=True)
    decoder.eval()
    decoder.top_k = torch.LongTensor([config["inference"]["top_k"]])
    decoder.early_stop_num = torch.LongTensor([50 * config["data"]["max_sec"]])
    decoder.init_onnx()

    phones = torch.randint(0, decoder.phoneme_vocab_size, (1, args.text_length))
    prompts = torch.randint(0, decoder.EOS, (1, args.prompt_length))
    with torch.no_grad():
        x = decoder.onnx_encoder(phones, torch.randn(1, 1024, args.text_length))
        y, k, v, y_emb, x_example = decoder.first_stage_decoder(x, prompts)
        torch.onnx.export(
            decoder.stage_decoder,
            (y, k, v, y_emb, x_example),
            args.out,
            input_names=["iy", "ik", "iv", "iy_emb", "ix_example"],
            output_names=["y", "k", "v", "y_emb", "logits", "samples"],
            dynamic_axes={
                "iy": {1: "iy_length"},
                "ik": {1: "ik_length"},
                "iv": {1: "iv_length"},
                "iy_emb": {1: "iy_emb_length"},
                "ix_example": {1: "ix_example_length"},
            },
            verbose=False,
            opset_version=16,
            dynamo=False,
        )
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
