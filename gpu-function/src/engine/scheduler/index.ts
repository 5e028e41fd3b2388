export { KvSlots, type SlotMove } from './kv-slots.ts';
export { Scheduler, SequenceTooLongError, type ScheduleStep, type SchedulerLimits } from './scheduler.ts';
export { advanceSequence, type Advance } from './advance.ts';
export { T2S_RULES, worstCaseCacheLength, type SequenceInput, type SequenceStatus, type T2sSequence } from './sequence.ts';
