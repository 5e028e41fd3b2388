/**
 * `gsv-edge bundle`: GPT-SoVITS checkpoints in, a servable ONNX model bundle out.
 *
 *   npx gsv-edge bundle --gpt X.ckpt --sovits Y.pth [--bert DIR] [--hubert DIR] --out models/NAME
 *                       [--gpt-sovits-dir DIR [--python-site-packages DIR]... [--nltk-data DIR]...] [--g2pw DIR]
 *                       [--sv FILE.ckpt] [--sovits-base FILE.pth] [--vocoder PATH | --bigvgan DIR] [--version v3|v4]
 *                       [--precision fp32|fp16|both] [--force]
 * @module
 */
import { parseArgs } from 'node:util';
import type { Subcommand } from '../../cli/main.ts';
import { describeFrontendManifest } from '../../text/frontend-data/describe.ts';
import { buildBundle } from './build.ts';
import type { BundlePrecision } from './manifest.ts';
import { progressPrinter } from './progress.ts';

const USAGE = `usage: gsv-edge bundle --gpt FILE.ckpt --sovits FILE.pth [--bert DIR] [--hubert DIR] --out models/NAME
                       [--gpt-sovits-dir DIR [--python-site-packages DIR]... [--nltk-data DIR]...] [--g2pw DIR]
                       [--sv FILE.ckpt] [--sovits-base FILE.pth] [--vocoder PATH | --bigvgan DIR] [--version v3|v4]
                       [--precision fp32|fp16|both] [--force]

  --gpt        GPT-SoVITS GPT (T2S) checkpoint (.ckpt)
  --sovits     GPT-SoVITS SoVITS checkpoint (.pth): v1, v2, v2Pro, v2ProPlus, v3 or v4, or a v3/v4 LoRA file
  --bert       chinese-roberta-wwm-ext-large folder (optional: without it Mandarin gets no BERT features)
  --hubert     chinese-hubert-base folder (optional: without it the bundle cannot register new voices)
  --out        destination folder; its name is the model id (a-z, 0-9, ".", "_", "-")
  --gpt-sovits-dir
               your GPT-SoVITS installation: its text-frontend data (word lists, CMUdict, names, and pypinyin's
               and g2p_en's data from its Python environment) is copied into the bundle (optional: without it
               the text frontend runs on npm data only and matches GPT-SoVITS less often)
  --python-site-packages
               site-packages folder of the Python environment GPT-SoVITS runs in, if it is not inside the
               installation (runtime/Lib/site-packages, .venv, venv, env are found by themselves); repeatable
  --nltk-data  NLTK data folder holding averaged_perceptron_tagger (English POS tags for homographs), if not in
               NLTK_DATA, ~/nltk_data or the installation; repeatable
  --g2pw       G2PWModel folder (g2pW.onnx and its side files) for Mandarin polyphones, as GPT-SoVITS v2 uses;
               needs --bert (default: GPT_SoVITS/text/G2PWModel inside --gpt-sovits-dir, when present)
  --sv         GPT-SoVITS's speaker-verification model, which v2Pro/v2ProPlus need (default:
               GPT_SoVITS/pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt inside --gpt-sovits-dir)
  --sovits-base
               the base model a v3/v4 LoRA file is merged into (default, inside --gpt-sovits-dir:
               GPT_SoVITS/pretrained_models/s2Gv3.pth for v3, .../gsv-v4-pretrained/s2Gv4.pth for v4)
  --vocoder    the vocoder v3/v4 models need: for v4 the file vocoder.pth, for v3 the BigVGAN folder holding
               bigvgan_generator.pt and config.json (default, inside --gpt-sovits-dir:
               GPT_SoVITS/pretrained_models/gsv-v4-pretrained/vocoder.pth for v4,
               GPT_SoVITS/pretrained_models/models--nvidia--bigvgan_v2_24khz_100band_256x for v3)
  --bigvgan    another name for --vocoder with v3's BigVGAN folder
  --version    v3 or v4, for a full SoVITS v3/v4 file that does not say which (LoRA files and
               GPT-SoVITS's pretrained models do)
  --precision  weight precision(s) to write (default: both; fp32 runs on CPU, fp16 is for CUDA)
  --force      replace an existing bundle
`;

const PRECISION_CHOICES: Readonly<Record<string, readonly BundlePrecision[]>> = {
  fp32: ['fp32'],
  fp16: ['fp16'],
  both: ['fp32', 'fp16'],
};

export const bundleCommand: Subcommand = {
  summary: 'compile GPT-SoVITS checkpoints into an ONNX model bundle',
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          gpt: { type: 'string' },
          sovits: { type: 'string' },
          bert: { type: 'string' },
          hubert: { type: 'string' },
          'gpt-sovits-dir': { type: 'string' },
          'python-site-packages': { type: 'string', multiple: true },
          'nltk-data': { type: 'string', multiple: true },
          g2pw: { type: 'string' },
          sv: { type: 'string' },
          'sovits-base': { type: 'string' },
          vocoder: { type: 'string' },
          bigvgan: { type: 'string' },
          version: { type: 'string' },
          out: { type: 'string' },
          precision: { type: 'string', default: 'both' },
          force: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const missing = (['gpt', 'sovits', 'out'] as const).filter((name) => values[name] === undefined);
    const precisions = PRECISION_CHOICES[values.precision];
    const version = values.version;
    const badVersion = version !== undefined && version !== 'v3' && version !== 'v4';
    const twoVocoders = values.vocoder !== undefined && values.bigvgan !== undefined;
    const vocoder = values.vocoder ?? values.bigvgan;
    if (missing.length > 0 || precisions === undefined || badVersion || twoVocoders) {
      const problem =
        missing.length > 0
          ? `missing --${missing.join(', --')}`
          : precisions === undefined
            ? `--precision must be fp32, fp16 or both`
            : twoVocoders
              ? '--bigvgan is another name for --vocoder: give only one of them'
              : `--version must be v3 or v4, not ${String(version)}`;
      process.stderr.write(`error: ${problem}\n\n${USAGE}`);
      return 2;
    }
    try {
      const manifest = await buildBundle({
        sources: {
          gpt: values.gpt as string,
          sovits: values.sovits as string,
          ...(values.bert === undefined ? {} : { bert: values.bert }),
          ...(values.hubert === undefined ? {} : { hubert: values.hubert }),
          ...(values['gpt-sovits-dir'] === undefined ? {} : { gptSovitsDir: values['gpt-sovits-dir'] }),
          ...(values['python-site-packages'] === undefined ? {} : { pythonSitePackages: values['python-site-packages'] }),
          ...(values['nltk-data'] === undefined ? {} : { nltkData: values['nltk-data'] }),
          ...(values.g2pw === undefined ? {} : { g2pwDir: values.g2pw }),
          ...(values.sv === undefined ? {} : { sv: values.sv }),
          ...(values['sovits-base'] === undefined ? {} : { sovitsBase: values['sovits-base'] }),
          ...(vocoder === undefined ? {} : { vocoder }),
          ...(version === 'v3' || version === 'v4' ? { sovitsVersion: version } : {}),
        },
        out: values.out as string,
        precisions,
        force: values.force,
        onProgress: progressPrinter(process.stderr),
      });
      const bytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
      process.stdout.write(
        `${manifest.id}: GPT-SoVITS ${manifest.gpt_sovits_version}, ${manifest.precisions.join(' + ')}, ${String(manifest.files.length)} files, ${(bytes / 1e6).toFixed(1)} MB\n`,
      );
      process.stderr.write(describeFrontendManifest(manifest.frontend));
      return 0;
    } catch (error) {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  },
};
