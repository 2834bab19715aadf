-- The subset of the LiteLLM proxy schema that exportq reads (SPEC section 2).
--
-- Identifiers are the Prisma ones, so they are quoted and case-sensitive, and
-- the constraint and index names are those Prisma generates: exportq can point
-- at a real LiteLLM database, and this file builds the same shape for
-- development and tests.  Idempotent (IF NOT EXISTS), no data.

CREATE TABLE IF NOT EXISTS "LiteLLM_SpendLogs" (
    "request_id"          TEXT NOT NULL,
    "call_type"           TEXT NOT NULL,
    "spend"               DOUBLE PRECISION NOT NULL DEFAULT 0.0,
    "total_tokens"        INTEGER NOT NULL DEFAULT 0,
    "prompt_tokens"       INTEGER NOT NULL DEFAULT 0,
    "completion_tokens"   INTEGER NOT NULL DEFAULT 0,
    "startTime"           TIMESTAMP(3) NOT NULL,
    "endTime"             TIMESTAMP(3) NOT NULL,
    "request_duration_ms" INTEGER,
    "model"               TEXT NOT NULL DEFAULT '',
    "model_group"         TEXT,
    "custom_llm_provider" TEXT,
    "user"                TEXT,
    "team_id"             TEXT,
    "end_user"            TEXT,
    "status"              TEXT,
    "cache_hit"           TEXT,

    CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id")
);

CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_startTime_idx"
    ON "LiteLLM_SpendLogs" ("startTime");

CREATE TABLE IF NOT EXISTS "LiteLLM_UserTable" (
    "user_id"    TEXT NOT NULL,
    "user_alias" TEXT,
    "user_email" TEXT,

    CONSTRAINT "LiteLLM_UserTable_pkey" PRIMARY KEY ("user_id")
);
