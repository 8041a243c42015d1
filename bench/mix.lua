-- mix.lua: a wrk script for bench/reload.sh and bench/soak.sh. Requests cycle
-- through the paths in the environment variable WRK_PATHS (separated by
-- spaces); every response whose status is not 200 is counted, and done()
-- prints one line that the scripts parse:
--   mix: responses N non200 N statuses CODE=N,...
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for p in string.gmatch(os.getenv("WRK_PATHS") or "/", "%S+") do
    table.insert(paths, p)
  end
  i = 0
  n = 0
  bad = 0
  codes = {}
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function response(status, headers, body)
  n = n + 1
  if status ~= 200 then
    bad = bad + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total, nbad, all = 0, 0, {}
  for _, t in ipairs(threads) do
    total = total + t:get("n")
    nbad = nbad + t:get("bad")
    for code, c in pairs(t:get("codes")) do
      all[code] = (all[code] or 0) + c
    end
  end
  local list = {}
  for code, c in pairs(all) do
    table.insert(list, code .. "=" .. c)
  end
  io.write(string.format("mix: responses %d non200 %d statuses %s\n", total, nbad,
                         #list > 0 and table.concat(list, ",") or "none"))
end
