-- Voices live at the gateway, so that every GPU function can serve every voice: the definition here, the recordings
-- in R2 (voices/audio/<sha256>, content-addressed), the version a hash over both (shared/src/voice-version.ts).

CREATE TABLE voices (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  model_sha256 TEXT NOT NULL,
  version TEXT NOT NULL,
  prompt_text TEXT NOT NULL,
  prompt_lang TEXT NOT NULL,
  -- JSON: the reference recording's info, then the auxiliary ones' (shared/src/schemas/voices.ts).
  reference TEXT NOT NULL,
  aux_references TEXT NOT NULL,
  sample_rate INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
