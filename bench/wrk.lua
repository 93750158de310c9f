-- bench/wrk.lua: the one wrk script of bench/run, for every measurement,
-- so that the ceilings and the endpoints are driven by the same client
-- doing the same work per request.
--
-- Environment:
--   BENCH_MODE     bearer   GET the URL's path with "Authorization: Bearer
--                           <token>", tokens from BENCH_FILE taken in turn
--                  cookie   the same with "Cookie: <BENCH_COOKIE>=<token>"
--                           instead of the header
--                  login    POST {"username": <name>, "password": ...}
--                           as JSON, names from BENCH_FILE in turn
--                  refresh  POST {"refresh_token": <token>} as JSON, each
--                           token of BENCH_FILE once (they rotate)
--   BENCH_FILE     one token or name a line; thread k of n takes lines
--                  k, k+n, k+2n, ... so no two threads share one
--   BENCH_THREADS  wrk's -t
--   BENCH_PASSWORD the login password
--   BENCH_COOKIE   the sign-in cookie's name, for the cookie mode
--
-- done() prints one line for bench/run to parse:
--   BENCH requests=N duration_us=N p50_us=N p99_us=N non2xx=N
--         connect=N read=N write=N timeout=N exhausted=N
-- non2xx is wrk's count of responses with a status above 399 (our
-- endpoints answer 2xx or 4xx/5xx, never 3xx, here); exhausted is the
-- number of threads that ran out of single-use refresh tokens.

local threads = {}
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local mode, path, items, reqs, nitems, i, password

function init(args)
	mode = os.getenv("BENCH_MODE") or "bearer"
	path = wrk.path
	password = os.getenv("BENCH_PASSWORD") or ""
	local file = os.getenv("BENCH_FILE")
	local n = tonumber(os.getenv("BENCH_THREADS") or "1")
	items = {}
	if file ~= nil and file ~= "" then
		local k = 0
		for line in io.lines(file) do
			if k % n == id and line ~= "" then
				items[#items + 1] = line
			end
			k = k + 1
		end
	end
	nitems = #items
	i = 0
	exhausted = 0
	reqs = {}
	if mode == "bearer" or mode == "cookie" then
		if nitems == 0 then
			error(mode .. " mode needs tokens in BENCH_FILE")
		end
		local cookie = os.getenv("BENCH_COOKIE") or ""
		-- Built once: the request loop only picks the next one.
		for k = 1, nitems do
			if mode == "bearer" then
				reqs[k] = wrk.format("GET", path,
				    { ["Authorization"] = "Bearer " .. items[k] })
			else
				reqs[k] = wrk.format("GET", path,
				    { ["Cookie"] = cookie .. "=" .. items[k] })
			end
		end
	elseif nitems == 0 then
		error(mode .. " mode needs lines in BENCH_FILE")
	end
end

local json_headers = { ["Content-Type"] = "application/json" }

function request()
	i = i + 1
	if mode == "bearer" or mode == "cookie" then
		return reqs[(i - 1) % nitems + 1]
	elseif mode == "login" then
		local name = items[(i - 1) % nitems + 1]
		return wrk.format("POST", path, json_headers,
		    '{"username":"' .. name .. '","password":"' .. password .. '"}')
	else
		if i > nitems then
			-- Out of fresh tokens: a reused one is refused (401), so
			-- the run fails loudly rather than measure errors.
			exhausted = 1
		end
		local tok = items[(i - 1) % nitems + 1]
		return wrk.format("POST", path, json_headers,
		    '{"refresh_token":"' .. tok .. '"}')
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	local ex = 0
	for _, t in ipairs(threads) do
		ex = ex + (tonumber(t:get("exhausted")) or 0)
	end
	io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d " ..
	    "p99_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
	    "exhausted=%d\n", summary.requests, summary.duration,
	    latency:percentile(50), latency:percentile(99), e.status,
	    e.connect, e.read, e.write, e.timeout, ex))
end
