/**
 * Starts the fake GPU origin (and fake Stripe) once for the workers test project; vitest.config.ts hands their
 * addresses to the worker as bindings.
 */
import type { TestProject } from 'vitest/node';
import { refusedPort, startFakeOrigin } from './fake-origin.ts';
import { TEST_SECRETS } from '../secrets.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const origin = await startFakeOrigin(TEST_SECRETS.signing, TEST_SECRETS.stripe);
  project.provide('fakeOrigin', origin.url);
  project.provide('refusedOrigin', `http://127.0.0.1:${String(await refusedPort())}`);
  return () => origin.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    fakeOrigin: string;
    refusedOrigin: string;
  }
}
