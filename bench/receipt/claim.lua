-- wrk: claims of 1 fen on receipts of code $CODE numbers $FIRST..$LAST, at random (a receipt of
-- 72 yuan takes 7,200 such claims, so none runs out during a run).
local code, first, last = os.getenv("CODE"), tonumber(os.getenv("FIRST")), tonumber(os.getenv("LAST"))
local auth = os.getenv("AUTH")
math.randomseed(os.time())
request = function()
  local n = string.format("%010d", math.random(first, last))
  return wrk.format("POST", "/api/v1/receipts/" .. code .. "/" .. n .. "/claims",
                    {["Content-Type"] = "application/json", ["Authorization"] = auth},
                    '{"amount_fen":1}')
end
