-- wrk script: every request carries a new, well-formed eid, as a fan's tap from the page's script does.
math.randomseed(os.time() + os.clock() * 1000000)
local prefix = string.format("%08x%06x", os.time(), math.random(0, 0xffffff))
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "?eid=" .. prefix .. string.format("%010d", n))
end
