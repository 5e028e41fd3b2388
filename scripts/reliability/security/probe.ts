/**
 * Sending one attack request to the stack and classifying its answer, and tallying a class of attacks into one
 * named check: how many were sent, refused as they should be, accepted, or answered some other way. Requests go
 * through undici's `request`, which sends headers exactly as given: duplicated, in any order, `Host` included.
 * @module
 */
import { errorEnvelopeSchema } from '@gsv-edge/shared';
import { getGlobalDispatcher } from 'undici';
import type { SuiteReport } from '../report.ts';

export interface Probe {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  /** Name/value pairs, so a header can be sent twice. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string;
}

export interface Outcome {
  readonly status: number;
  /** The envelope's `code` when the body is the shared JSON error envelope, else `null`. */
  readonly code: string | null;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

const PROBE_TIMEOUT_MS = 30_000;

/** Sends the path exactly as written (no client-side resolution of `//`, `.` or `..`). */
export async function send(base: string, probe: Probe): Promise<Outcome> {
  const answer = await getGlobalDispatcher().request({
    origin: base,
    path: probe.path,
    method: probe.method,
    headers: (probe.headers ?? []).flat(),
    ...(probe.body === undefined ? {} : { body: probe.body }),
    headersTimeout: PROBE_TIMEOUT_MS,
    bodyTimeout: PROBE_TIMEOUT_MS,
  });
  const text = await answer.body.text();
  const contentType = String(answer.headers['content-type'] ?? '');
  return { status: answer.statusCode, code: envelopeCode(contentType, text), contentType, headers: answer.headers, text };
}

function envelopeCode(contentType: string, text: string): string | null {
  if (!contentType.startsWith('application/json')) return null;
  try {
    const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error.code : null;
  } catch {
    return null;
  }
}

/** What a class of attacks may be answered with: each status with the envelope codes it may carry. */
export type Refusals = Readonly<Record<number, readonly string[]>>;

export function isRefusal(outcome: Outcome, refusals: Refusals): boolean {
  return outcome.code !== null && (refusals[outcome.status] ?? []).includes(outcome.code);
}

/**
 * One class of attacks. An answer is `refused` when it is an allowed status with its JSON envelope, `accepted` when
 * it is a 2xx, and `other` otherwise (a 404 or 400 behind an authentication check means the check let it through;
 * a 500 or a body that is not the envelope is a failure of its own). The check passes when every attack was refused.
 */
export class AttackTally {
  readonly name: string;
  readonly #refusals: Refusals;
  sent = 0;
  refused = 0;
  accepted = 0;
  other = 0;
  readonly #examples: string[] = [];
  readonly #codes = new Map<string, number>();

  constructor(name: string, refusals: Refusals) {
    this.name = name;
    this.#refusals = refusals;
  }

  /** Records an answer; `label` says which variant it was, for the failure examples. Returns whether refused. */
  record(label: string, outcome: Outcome): boolean {
    this.sent += 1;
    const codeKey = `${String(outcome.status)} ${outcome.code ?? '(no envelope)'}`;
    this.#codes.set(codeKey, (this.#codes.get(codeKey) ?? 0) + 1);
    if (isRefusal(outcome, this.#refusals)) {
      this.refused += 1;
      return true;
    }
    if (outcome.status >= 200 && outcome.status < 300) this.accepted += 1;
    else this.other += 1;
    if (this.#examples.length < 5) this.#examples.push(`${label} -> ${codeKey}`);
    return false;
  }

  /** Records an attack whose request failed to complete (connection reset, timeout): never a pass. */
  failed(label: string, error: unknown): void {
    this.sent += 1;
    this.other += 1;
    if (this.#examples.length < 5) this.#examples.push(`${label} -> ${error instanceof Error ? error.message : String(error)}`);
  }

  get ok(): boolean {
    return this.sent > 0 && this.refused === this.sent;
  }

  summary(): string {
    const codes = [...this.#codes].map(([code, count]) => `${code} x${String(count)}`).join(', ');
    const head = `${String(this.sent)} sent, ${String(this.refused)} refused, ${String(this.accepted)} accepted, ${String(this.other)} other (${codes})`;
    return this.#examples.length === 0 ? head : `${head}; e.g. ${this.#examples.join('; ')}`;
  }

  /** Reports the tally as one check with its counts as figures (`<prefix>.sent`, `.accepted`, `.other`). */
  report(report: SuiteReport, prefix: string): boolean {
    report.figure(`${prefix}.sent`, this.sent);
    report.figure(`${prefix}.accepted`, this.accepted);
    report.figure(`${prefix}.other`, this.other);
    return report.check(this.name, this.ok, this.summary());
  }
}

/** Sends `probe` and records its answer; a request that fails outright is recorded as a failure. */
export async function attack(tally: AttackTally, base: string, label: string, probe: Probe): Promise<Outcome | null> {
  try {
    const outcome = await send(base, probe);
    tally.record(label, outcome);
    return outcome;
  } catch (error) {
    tally.failed(label, error);
    return null;
  }
}

/** Runs `work` over `items` with at most `concurrency` at once, in order of start. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
