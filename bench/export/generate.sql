-- generate.sql: :rows demo spend-log rows over 2024 (the "demo generator"
-- shape: a few hundred users, a dozen models, NULLs where LiteLLM has them).
INSERT INTO "LiteLLM_UserTable"
SELECT 'user-' || i, 'User ' || i, 'user' || i || '@example.com' FROM generate_series(0, 499) i;
INSERT INTO "LiteLLM_SpendLogs"
SELECT md5(i::text)::uuid::text,
       (ARRAY['completion', 'acompletion', 'embedding'])[1 + i % 3],
       ((i::bigint * 7919) % 100000) / 1e6::float8 * 3.3,
       (i % 4000) + (i % 900), i % 4000, i % 900,
       ts, ts + ((i % 9000) * interval '1 millisecond'),
       CASE WHEN i % 17 = 0 THEN NULL ELSE i % 9000 END,
       (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'claude-3-haiku', 'mistral-large',
              'llama-3-70b', 'gemini-1.5-pro', 'o1-mini', 'text-embedding-3-small',
              'command-r', 'deepseek-chat', 'qwen2-72b'])[1 + i % 12],
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'group-' || (i % 12) END,
       CASE WHEN i % 29 = 0 THEN NULL ELSE
            (ARRAY['openai', 'anthropic', 'mistral', 'vertex_ai', 'bedrock'])[1 + i % 5] END,
       CASE WHEN i % 41 = 0 THEN NULL ELSE 'user-' || (i * 31 % 500) END,
       CASE WHEN i % 2 = 0 THEN 'team-' || (i % 20) ELSE NULL END,
       CASE WHEN i % 5 = 0 THEN 'end-user-' || (i % 1000) ELSE NULL END,
       CASE WHEN i % 50 = 0 THEN 'failure' ELSE 'success' END,
       CASE WHEN i % 7 = 0 THEN 'True' ELSE 'False' END
FROM generate_series(1, :rows) i,
     LATERAL (SELECT timestamp '2024-01-01' + (i::float8 / :rows) * interval '365 days' AS ts) t;
