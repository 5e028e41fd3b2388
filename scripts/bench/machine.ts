/**
 * What the figures were measured on.
 * @module
 */
import { cpus, loadavg, totalmem } from 'node:os';
import type { MachineInfo } from './report.ts';

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memory_bytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load_average: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
