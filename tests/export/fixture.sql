-- A fixed data set for the export golden files: ordinary rows plus the
-- hostile values of the issue (quotes, CR/LF, commas, emoji, CJK, leading
-- = + - @, control characters, NULL user, empty provider, 40,000-character
-- alias) and rows on the date edges (29 February, the Europe/Berlin DST
-- change of 2024-03-31, the last millisecond of a day).
INSERT INTO "LiteLLM_UserTable" VALUES
  ('alice', 'Alice A.', 'alice@example.com'),
  ('bob', NULL, 'bob@example.com'),
  ('u"quote,comma' || E'\r\n' || 'line', 'alias, "quoted"', NULL),
  ('=HYPERLINK("http://x")', '+alias', '-mail@example.com'),
  ('@sum', repeat('长', 20000) || repeat('a😀', 10000), 'cjk@example.com'),
  ('ctl', E'bell\x07tab\tnul-ish\x01end', E'\x1b[31mred');

-- 120 ordinary rows over 2024, deterministic
INSERT INTO "LiteLLM_SpendLogs"
SELECT 'req-' || lpad(i::text, 4, '0'),
       CASE i % 3 WHEN 0 THEN 'completion' WHEN 1 THEN 'acompletion' ELSE 'embedding' END,
       (i * 0.0001234567) + (i % 7) * 0.5,
       (i * 13) % 1000 + (i * 7) % 500, (i * 13) % 1000, (i * 7) % 500,
       timestamp '2024-01-01 00:00:00' + (i * interval '3 days 1 hour 7 minutes 11.123 seconds'),
       timestamp '2024-01-01 00:00:00' + (i * interval '3 days 1 hour 7 minutes 11.123 seconds')
           + ((i % 50) * interval '37 milliseconds'),
       CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 50) * 37 END,
       (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'mistral-large'])[1 + i % 4],
       CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN '' ELSE
           (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'mistral-large'])[1 + i % 4] END,
       CASE WHEN i % 9 = 0 THEN '' WHEN i % 9 = 1 THEN NULL ELSE
           (ARRAY['openai', 'openai', 'anthropic', 'mistral'])[1 + i % 4] END,
       CASE WHEN i % 8 = 0 THEN NULL ELSE (ARRAY['alice', 'bob', 'carol', 'ctl'])[1 + i % 4] END,
       CASE WHEN i % 2 = 0 THEN 'team-a' ELSE NULL END,
       CASE WHEN i % 3 = 0 THEN 'end-' || i ELSE NULL END,
       CASE WHEN i % 10 = 0 THEN 'failure' ELSE 'success' END,
       CASE WHEN i % 4 = 0 THEN 'True' ELSE NULL END
FROM generate_series(1, 120) AS i;

-- hostile and edge rows
INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, spend, total_tokens, prompt_tokens,
  completion_tokens, "startTime", "endTime", request_duration_ms, model, model_group,
  custom_llm_provider, "user", team_id, end_user, status, cache_hit) VALUES
  ('h-quote', 'completion', 1.25, 30, 10, 20, '2024-02-29 00:00:00', '2024-02-29 00:00:01.5', 1500,
   'model "x", y', NULL, 'openai', 'u"quote,comma' || E'\r\n' || 'line', 'team,1', E'end\nuser', 'success', NULL),
  ('h-formula', 'completion', 0.0000015, 3, 1, 2, '2024-02-29 23:59:59.999', '2024-03-01 00:00:00.001', 2,
   '=cmd|'' /C calc''!A0', '', '', '=HYPERLINK("http://x")', '+team', '-end', '@status', E'\tcache'),
  ('h-cjk', 'completion', 2.5, 7, 3, 4, '2024-03-01 00:00:00', '2024-03-01 00:00:00', 0,
   '模型-😀', 'グループ', '提供者', '@sum', NULL, NULL, NULL, NULL),
  ('h-ctl', E'call\x01type', 0.333333333, 5, 2, 3, '2024-03-31 00:59:59.999', '2024-03-31 01:00:00.000', NULL,
   E'mo\x07del', NULL, NULL, 'ctl', NULL, NULL, E'\rstatus', NULL),
  ('h-dst', 'completion', 0.5, 1, 1, 0, '2024-03-31 01:00:00.000', '2024-03-31 01:00:00.250', 250,
   'gpt-4o', 'gpt-4o', 'openai', NULL, NULL, NULL, 'success', NULL),
  ('h-lastms', 'completion', 0.1, 1, 1, 0, '2024-12-31 23:59:59.999', '2025-01-01 00:00:00.100', 101,
   'gpt-4o', 'gpt-4o', 'openai', 'bob', NULL, NULL, 'success', NULL),
  ('h-nextday', 'completion', 0.1, 1, 1, 0, '2025-01-01 00:00:00.000', '2025-01-01 00:00:00.100', 100,
   'gpt-4o', 'gpt-4o', 'openai', 'bob', NULL, NULL, 'success', NULL),
  ('h-before', 'completion', 0.1, 1, 1, 0, '2023-12-31 23:59:59.999', '2024-01-01 00:00:00.100', 101,
   'gpt-4o', 'gpt-4o', 'openai', 'bob', NULL, NULL, 'success', NULL),
  ('h-tie-b', 'completion', 0.2000001, 1, 1, 0, '2024-06-01 12:00:00', '2024-06-01 12:00:00', 1,
   'tie', 'tie-b', 'tie', 'tie-B', NULL, NULL, 'success', NULL),
  ('h-tie-a', 'completion', 0.2000004, 1, 1, 0, '2024-06-01 12:00:00', '2024-06-01 12:00:00', 1,
   'tie', 'tie-a', 'tie', 'tie-a', NULL, NULL, 'success', NULL),
  ('H-tie-upper', 'completion', 0.2, 1, 1, 0, '2024-06-01 12:00:00', '2024-06-01 12:00:00', 1,
   'tie', 'Tie-Z', 'Tie', 'Tie-Z', NULL, NULL, 'success', NULL);
