"""etc/schema/demo-data.sql: deterministic and shaped as the issue asks.
Leaves both tables empty again for the modules that follow."""
import xq

ROWS = 20000


def setup():
    xq.sql('TRUNCATE "LiteLLM_SpendLogs", "LiteLLM_UserTable"')
    xq.stack("stack_load_demo", ROWS)


def fingerprint():
    return xq.sql('SELECT md5(string_agg(request_id || \'|\' || spend::text || \'|\' || '
                  'coalesce("user", \'-\') || \'|\' || "startTime"::text, \',\' '
                  'ORDER BY request_id)) FROM "LiteLLM_SpendLogs"')[0][0]


def test_row_count_and_no_reload_when_enough():
    assert xq.sql('SELECT count(*) FROM "LiteLLM_SpendLogs"') == [[str(ROWS)]]
    before = fingerprint()
    p = xq.stack("stack_load_demo", ROWS // 2)
    assert b"already loaded" in p.stdout, p.stdout
    assert fingerprint() == before


def test_same_rows_give_same_data():
    before = fingerprint()
    xq.sql('TRUNCATE "LiteLLM_SpendLogs"')
    xq.stack("stack_load_demo", ROWS)
    assert fingerprint() == before


def test_shape_is_realistic():
    (total, users, models, providers, null_user, empty_prov, null_group, failures,
     cache_hits, null_dur, min_t, max_t, neg) = xq.sql('''
        SELECT count(*), count(DISTINCT "user"), count(DISTINCT model),
               count(DISTINCT NULLIF(custom_llm_provider, '')),
               count(*) FILTER (WHERE "user" IS NULL),
               count(*) FILTER (WHERE custom_llm_provider = ''),
               count(*) FILTER (WHERE model_group IS NULL),
               count(*) FILTER (WHERE status = 'failure'),
               count(*) FILTER (WHERE cache_hit = 'True'),
               count(*) FILTER (WHERE request_duration_ms IS NULL),
               min("startTime")::date, max("startTime"),
               count(*) FILTER (WHERE spend < 0 OR total_tokens <> prompt_tokens + completion_tokens
                                 OR "endTime" < "startTime")
        FROM "LiteLLM_SpendLogs"''')[0]
    n = int(total)
    assert 300 <= int(users) <= 420, users
    assert 24 <= int(models) <= 26, models
    assert int(providers) == 6, providers
    for name, value, lo, hi in (("NULL user", null_user, 0.02, 0.04),
                                ("empty provider", empty_prov, 0.02, 0.04),
                                ("NULL model_group", null_group, 0.06, 0.10),
                                ("failures", failures, 0.015, 0.035),
                                ("cache hits", cache_hits, 0.03, 0.05),
                                ("NULL duration", null_dur, 0.005, 0.015)):
        assert lo * n <= int(value) <= hi * n, (name, value)
    assert min_t >= "2025-10-26", min_t
    assert max_t < "2026-12-01", max_t
    assert neg == "0", neg
    # Long tail: the busiest user has far more rows than the median user.
    top, median = xq.sql('''
        WITH c AS (SELECT count(*) AS n FROM "LiteLLM_SpendLogs" WHERE "user" IS NOT NULL
                   GROUP BY "user")
        SELECT max(n), percentile_disc(0.5) WITHIN GROUP (ORDER BY n) FROM c''')[0]
    assert int(top) > 20 * int(median), (top, median)
    # Spend has many decimals, not rounded cents.
    decimals = xq.sql('''SELECT count(*) FROM "LiteLLM_SpendLogs"
                         WHERE spend > 0 AND spend <> round(spend::numeric, 6)::double precision''')
    assert int(decimals[0][0]) > n // 10, decimals


def test_hostile_users_are_present_and_active():
    rows = xq.sql('''SELECT u.user_alias, u.user_email, count(l.*)
                     FROM "LiteLLM_UserTable" u JOIN "LiteLLM_SpendLogs" l ON l."user" = u.user_id
                     GROUP BY 1, 2''', admin=False)
    aliases = [r[0] for r in rows if r[0] is not None]
    emails = [r[1] for r in rows if r[1] is not None]
    for prefix in ("=", "+", "-", "@"):
        assert any(a.startswith(prefix) for a in aliases), prefix
    assert any("\n" in a for a in aliases)
    assert any('"' in a and "," in a for a in aliases)
    assert any("🦊" in a for a in aliases)
    assert any("张伟" in a for a in aliases)
    assert any(len(a) > 32767 for a in aliases)
    assert any("," in e and '"' in e for e in emails)
    assert any(r[0] is None and r[1] is None for r in rows)
    # Users in the log that the user table does not know.
    unknown = xq.sql('''SELECT count(DISTINCT "user") FROM "LiteLLM_SpendLogs" l
                        WHERE "user" IS NOT NULL AND NOT EXISTS
                          (SELECT 1 FROM "LiteLLM_UserTable" u WHERE u.user_id = l."user")''')
    assert int(unknown[0][0]) >= 1, unknown


def test_cleanup():
    xq.sql('TRUNCATE "LiteLLM_SpendLogs", "LiteLLM_UserTable"')
    assert xq.sql('SELECT count(*) FROM "LiteLLM_SpendLogs"') == [["0"]]
