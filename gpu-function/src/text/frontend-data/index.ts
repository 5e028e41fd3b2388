/**
 * Text-frontend data from the user's GPT-SoVITS installation: found and extracted into a bundle at bundle time
 * (collect.ts), recorded in the manifest (manifest-section.ts), loaded and checked at run time (load.ts), turned
 * into language modules (languages.ts). catalog.ts lists the data sets and their files.
 * @module
 */
export { FRONTEND_DATA_FILES, FRONTEND_DATA_IDS, FRONTEND_DATA_PURPOSE, FRONTEND_DIR, type FrontendDataId } from './catalog.ts';
export { collectFrontendData, type CollectedFrontendData, type FrontendDataOptions } from './collect.ts';
export { describeFrontendManifest, describeMissing } from './describe.ts';
export { withEnvironmentOverrides } from './environment.ts';
export { frontendLanguages } from './languages.ts';
export { loadFrontendData, NPM_ONLY_FRONTEND_DATA, type FrontendData } from './load.ts';
export { frontendManifestSchema, type FrontendManifest, type MissingFrontendData } from './manifest-section.ts';
