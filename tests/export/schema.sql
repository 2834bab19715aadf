-- The LiteLLM subset of SPEC §2, for the export tests and the benchmark.
-- (etc/schema/litellm-subset.sql from the stack issue is the shipped copy;
-- this one is kept beside the tests so they do not depend on its timing.)
CREATE TABLE "LiteLLM_SpendLogs" (
    request_id text PRIMARY KEY,
    call_type text NOT NULL DEFAULT '',
    spend double precision NOT NULL DEFAULT 0,
    total_tokens integer NOT NULL DEFAULT 0,
    prompt_tokens integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    "startTime" timestamp(3) NOT NULL,
    "endTime" timestamp(3) NOT NULL,
    request_duration_ms integer,
    model text NOT NULL DEFAULT '',
    model_group text,
    custom_llm_provider text,
    "user" text,
    team_id text,
    end_user text,
    status text,
    cache_hit text
);
CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs" ("startTime");
CREATE TABLE "LiteLLM_UserTable" (
    user_id text PRIMARY KEY,
    user_alias text,
    user_email text
);
