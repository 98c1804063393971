-- bench/status.lua - count wrk's replies by HTTP status.
-- Used by bench/run.sh's memory test, where 503 (admission) is allowed but
-- other failures are not: wrk alone only reports "Non-2xx or 3xx".
-- Prints one "status CODE COUNT" line per status after wrk's summary.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	statuses = {}
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	local total = {}
	for _, thread in ipairs(threads) do
		for code, count in pairs(thread:get("statuses")) do
			total[code] = (total[code] or 0) + count
		end
	end
	for code, count in pairs(total) do
		io.write(string.format("status %d %d\n", code, count))
	end
end
