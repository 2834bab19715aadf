-- Demo data for the LiteLLM subset (etc/schema/litellm-subset.sql).
--
--   psql -v ON_ERROR_STOP=1 -v rows=200000 -f etc/schema/demo-data.sql "$DATABASE_ADMIN_URL"
--
-- Replaces the contents of "LiteLLM_SpendLogs" and "LiteLLM_UserTable" with
-- `rows` spend log rows (default 200000) and 420 users.  Deterministic: every
-- pseudo-random value is a hash of the row number and a per-attribute seed
-- (hashint8extended), so the same `rows` always gives the same data, and the
-- first N rows of a bigger load equal a load of N.
--
-- Shape, chosen to look like a real LiteLLM proxy:
--   * 420 users whose activity is long-tailed (user k is picked with a
--     probability near 1/k: the top user has ~11% of the rows, the last ones a
--     handful); users 400..419 appear in the logs but not in the user table.
--   * 26 models over 6 providers (openai, anthropic, azure, bedrock, vertex_ai,
--     groq) plus a self-hosted model with an empty provider; model_group
--     aliases shared across providers (gpt-4o on openai and azure, ...).
--   * ~3% NULL "user", ~3% empty and ~1% NULL custom_llm_provider, ~8% NULL
--     and ~2% empty model_group, ~2.5% failures (no tokens, no spend), ~4%
--     cache hits (no spend), ~1% NULL request_duration_ms.
--   * log-normal prompt/completion tokens and durations; spend = tokens x the
--     model's list price, a double with many decimals.
--   * "startTime" over the 400 days ending 2026-11-30 23:59:59.999 (UTC, no
--     zone), denser towards the end (growing usage).
--   * hostile text in aliases and e-mails of some of the most active users:
--     quotes, commas, CR/LF, TAB, emoji, CJK, RTL override, control
--     characters, leading = + - @, HTML, a 33,000-character alias, NULL and
--     empty values.
--
-- Speed: the indexes are dropped and rebuilt around the load, and the TRUNCATE
-- in the same transaction lets a wal_level=minimal server skip WAL.
\set ON_ERROR_STOP on
\if :{?rows}
\else
\set rows 200000
\endif

-- Uniform double in (0, 1) from (row, seed); inlined by the planner.
CREATE FUNCTION pg_temp.xq_u(i bigint, seed bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (((hashint8extended(i, seed) >> 11) & 9007199254740991)::double precision + 0.5)
                 / 9007199254740992.0 $$;
-- Standard normal from two uniforms (Box-Muller).
CREATE FUNCTION pg_temp.xq_n(i bigint, seed bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT sqrt(-2.0 * ln(pg_temp.xq_u(i, seed)))
                 * cos(2.0 * pi() * pg_temp.xq_u(i, seed + 7919)) $$;

CREATE TEMP TABLE xq_model (
    idx int PRIMARY KEY, model text, model_group text, provider text,
    call_type text, in_price double precision, out_price double precision, weight int
);
-- Prices are USD per million tokens (list prices of the time, roughly).
INSERT INTO xq_model VALUES
 ( 1, 'gpt-4o',                                          'gpt-4o',        'openai',    'acompletion', 2.5,   10,   120),
 ( 2, 'gpt-4o-mini',                                     'gpt-4o-mini',   'openai',    'acompletion', 0.15,  0.6,  200),
 ( 3, 'gpt-4.1',                                         'gpt-4.1',       'openai',    'acompletion', 2,     8,     60),
 ( 4, 'gpt-4.1-mini',                                    'gpt-4.1-mini',  'openai',    'acompletion', 0.4,   1.6,   80),
 ( 5, 'o3-mini',                                         'o3-mini',       'openai',    'acompletion', 1.1,   4.4,   40),
 ( 6, 'gpt-3.5-turbo',                                   'gpt-3.5-turbo', 'openai',    'completion',  0.5,   1.5,   25),
 ( 7, 'text-embedding-3-small',                          'embeddings',    'openai',    'aembedding',  0.02,  0,     90),
 ( 8, 'claude-3-5-sonnet-20241022',                      'claude-sonnet', 'anthropic', 'acompletion', 3,     15,   110),
 ( 9, 'claude-sonnet-4-20250514',                        'claude-sonnet', 'anthropic', 'acompletion', 3,     15,    70),
 (10, 'claude-3-5-haiku-20241022',                       'claude-haiku',  'anthropic', 'acompletion', 0.8,   4,     60),
 (11, 'claude-3-opus-20240229',                          'claude-opus',   'anthropic', 'acompletion', 15,    75,    12),
 (12, 'azure/gpt-4o',                                    'gpt-4o',        'azure',     'acompletion', 2.5,   10,    50),
 (13, 'azure/gpt-4o-mini',                               'gpt-4o-mini',   'azure',     'acompletion', 0.165, 0.66,  40),
 (14, 'azure/gpt-35-turbo',                              'gpt-3.5-turbo', 'azure',     'completion',  0.5,   1.5,   10),
 (15, 'bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0','claude-sonnet','bedrock',   'acompletion', 3,     15,    35),
 (16, 'bedrock/meta.llama3-1-70b-instruct-v1:0',         'llama-3.1-70b', 'bedrock',   'acompletion', 0.99,  0.99,  15),
 (17, 'bedrock/amazon.titan-embed-text-v2:0',            'embeddings',    'bedrock',   'aembedding',  0.02,  0,     10),
 (18, 'bedrock/mistral.mistral-large-2407-v1:0',         'mistral-large', 'bedrock',   'acompletion', 2,     6,      8),
 (19, 'vertex_ai/gemini-1.5-pro',                        'gemini-pro',    'vertex_ai', 'acompletion', 1.25,  5,     30),
 (20, 'vertex_ai/gemini-1.5-flash',                      'gemini-flash',  'vertex_ai', 'acompletion', 0.075, 0.3,   45),
 (21, 'vertex_ai/gemini-2.0-flash',                      'gemini-flash',  'vertex_ai', 'acompletion', 0.1,   0.4,   55),
 (22, 'vertex_ai/text-embedding-004',                    'embeddings',    'vertex_ai', 'aembedding',  0.025, 0,      8),
 (23, 'groq/llama-3.1-70b-versatile',                    'llama-3.1-70b', 'groq',      'acompletion', 0.59,  0.79,  25),
 (24, 'groq/llama-3.1-8b-instant',                       'llama-3.1-8b',  'groq',      'acompletion', 0.05,  0.08,  30),
 (25, 'groq/mixtral-8x7b-32768',                         'mixtral-8x7b',  'groq',      'acompletion', 0.24,  0.24,   8),
 (26, 'hosted_vllm/qwen2.5-72b-instruct',                'qwen2.5-72b',   '',          'acompletion', 0,     0,      6);

-- One slot per unit of weight: a uniform draw picks a slot, so a model is
-- drawn in proportion to its weight.
CREATE TEMP TABLE xq_slot AS
    SELECT (row_number() OVER (ORDER BY m.idx, g) - 1)::int AS slot, m.idx
    FROM xq_model m, generate_series(1, m.weight) g;
SELECT count(*) AS nslots FROM xq_slot \gset

CREATE TEMP TABLE xq_user (idx int PRIMARY KEY, user_id text, alias text, email text, team text);
INSERT INTO xq_user
SELECT k,
       CASE k % 4
           WHEN 0 THEN substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3)
                       || '-a' || substr(h, 18, 3) || '-' || substr(h, 21, 12)
           WHEN 1 THEN lower(first) || '.' || lower(last) || '@example.com'
           ELSE 'user-' || lpad(k::text, 4, '0')
       END,
       first || ' ' || last,
       lower(first) || '.' || lower(last) || k || '@example.com',
       CASE WHEN k % 5 = 4 THEN NULL
            ELSE (ARRAY['team-platform', 'team-search', 'team-support', 'team-research',
                        'team-growth', 'team-data', 'team-mobile'])[1 + k % 7] END
FROM (
    SELECT k, md5('exportq-demo-user:' || k) AS h,
           (ARRAY['Alice', 'Bob', 'Chen', 'Dana', 'Emeka', 'Farah', 'Giulia', 'Hiro', 'Ines',
                  'Jonas', 'Kaito', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa',
                  'Sven', 'Tara', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoe'])[1 + k % 26] AS first,
           (ARRAY['Adams', 'Baker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad',
                  'Ivanova', 'Jensen', 'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor',
                  'Petrov'])[1 + (k / 26) % 16] AS last
    FROM generate_series(0, 419) k
) s;

-- Hostile text on some of the most active users (low k = many rows).
UPDATE xq_user u SET alias = v.alias, email = v.email
FROM (VALUES
    ( 1, '=HYPERLINK("http://example.invalid/x","click me")', '=cmd|'' /C calc''!A0@example.com'),
    ( 3, 'O''Brien, "Bob"',                         '"bob,obrien"@example.com'),
    ( 5, E'Line one\nline two',                     E'multi\r\nline@example.com'),
    ( 7, '🦊 Füchsin 🚀',                           'fox🦊@example.com'),
    ( 9, '张伟（研发部）',                           '张伟@例子.中国'),
    (11, '+49 30 1234567',                          '+tag@example.com'),
    (13, '-2+3',                                    '-dash@example.com'),
    (17, '@SUM(A1:A9)',                             '@at@example.com'),
    (19, E'tab\there; semi',                        'semi;colon@example.com'),
    (23, NULL,                                      NULL),
    (29, '',                                        ''),
    (31, E'\u202Eevil right-to-left',               'rtl@example.com'),
    (37, '<script>alert(1)</script>',               'xss@example.com'),
    (41, E'bell\u0007 and \u0001 control',          E'ctl\u0008@example.com'),
    (43, repeat('Å', 33000),                        'long@example.com'),
    (47, E'\r=CR first',                            E'\t=tab@example.com'),
    (53, E'"quoted" \\ backslash, comma',           '"quo,ted"@example.com')
) AS v(k, alias, email)
WHERE u.idx = v.k;

BEGIN;
SET LOCAL synchronous_commit = off;
SET LOCAL maintenance_work_mem = '256MB';
TRUNCATE "LiteLLM_SpendLogs", "LiteLLM_UserTable";
ALTER TABLE "LiteLLM_SpendLogs" DROP CONSTRAINT IF EXISTS "LiteLLM_SpendLogs_pkey";
DROP INDEX IF EXISTS "LiteLLM_SpendLogs_startTime_idx";

INSERT INTO "LiteLLM_UserTable" (user_id, user_alias, user_email)
SELECT user_id, alias, email FROM xq_user WHERE idx < 400;

INSERT INTO "LiteLLM_SpendLogs"
    (request_id, call_type, spend, total_tokens, prompt_tokens, completion_tokens,
     "startTime", "endTime", request_duration_ms, model, model_group,
     custom_llm_provider, "user", team_id, end_user, status, cache_hit)
SELECT 'chatcmpl-' || md5('exportq-demo:' || r.i),
       m.call_type,
       CASE WHEN r.failed OR r.cached THEN 0
            ELSE (t.prompt * m.in_price + t.completion * m.out_price) / 1e6 END,
       t.prompt + t.completion,
       t.prompt,
       t.completion,
       r.start_time,
       r.start_time + make_interval(secs => t.duration / 1000.0),
       CASE WHEN r.u_misc < 0.01 THEN NULL ELSE t.duration END,
       m.model,
       CASE WHEN r.u_group < 0.08 THEN NULL WHEN r.u_group < 0.10 THEN '' ELSE m.model_group END,
       CASE WHEN r.u_prov < 0.01 THEN NULL WHEN r.u_prov < 0.04 THEN '' ELSE m.provider END,
       CASE WHEN r.u_null_user < 0.03 THEN NULL ELSE u.user_id END,
       CASE WHEN r.u_null_user < 0.03 THEN NULL ELSE u.team END,
       CASE WHEN r.u_misc < 0.80 THEN NULL
            ELSE 'customer-' || (hashint8extended(r.i, 31) & 4095) END,
       CASE WHEN r.failed THEN 'failure' ELSE 'success' END,
       CASE WHEN r.cached THEN 'True' WHEN r.u_cache < 0.15 THEN NULL ELSE 'False' END
FROM (
    SELECT g AS i,
           pg_temp.xq_u(g, 2) AS u_group,
           pg_temp.xq_u(g, 3) AS u_prov,
           pg_temp.xq_u(g, 4) AS u_null_user,
           pg_temp.xq_u(g, 5) AS u_misc,
           pg_temp.xq_u(g, 6) AS u_cache,
           pg_temp.xq_u(g, 6) < 0.04 AS cached,
           pg_temp.xq_u(g, 7) < 0.025 AS failed,
           floor(pg_temp.xq_u(g, 1) * :nslots)::int AS slot,
           floor(exp(pg_temp.xq_u(g, 8) * ln(421.0)))::int - 1 AS uidx,
           -- denser towards the end: offset = 400 days x (1 - sqrt(u))
           timestamp '2026-12-01 00:00:00'
               - make_interval(secs => 400 * 86400 * (1 - sqrt(pg_temp.xq_u(g, 9))))
               AS start_time
    FROM generate_series(1, :rows) g
) r
JOIN xq_slot s ON s.slot = r.slot
JOIN xq_model m ON m.idx = s.idx
JOIN xq_user u ON u.idx = least(r.uidx, 419)
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.failed THEN 0
                ELSE least(200000, greatest(1, round(exp(ln(600) + 1.1 * pg_temp.xq_n(r.i, 10)))))::int
           END AS prompt,
           CASE WHEN r.failed OR m.call_type = 'aembedding' THEN 0
                ELSE least(16000, greatest(1, round(exp(ln(220) + 0.9 * pg_temp.xq_n(r.i, 11)))))::int
           END AS completion
) t0
CROSS JOIN LATERAL (
    SELECT t0.prompt, t0.completion,
           least(600000, greatest(15, round(exp(ln(350 + 14 * t0.completion)
                                                + 0.35 * pg_temp.xq_n(r.i, 12)))))::int AS duration
) t;

ALTER TABLE "LiteLLM_SpendLogs"
    ADD CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY (request_id);
CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs" ("startTime");
COMMIT;
ANALYZE "LiteLLM_SpendLogs";
ANALYZE "LiteLLM_UserTable";
