-- submit.lua: wrk script for POST export-async, one token per simulated
-- user (distinct users, as many as TOKENS lines), round robin per thread.
local tokens = {}
local n = 0
local i = 0
local body = '{"startDate":"2026-01-01","endDate":"2026-01-31",' ..
             '"exportType":"model-breakdown","format":"csv"}'

function init(args)
    for line in io.lines(os.getenv("TOKENS")) do
        n = n + 1
        tokens[n] = line
    end
    i = math.random(n)
end

function request()
    i = i % n + 1
    return wrk.format("POST", "/api/v1/admin/usage/export-async",
                      { ["Authorization"] = "Bearer " .. tokens[i],
                        ["Content-Type"] = "application/json" }, body)
end
