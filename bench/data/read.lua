-- wrk: purpose-bound reads of random generated people's household records under agreement
-- $AGREEMENT, as the service center's system ($AUTH); subject IDs one a line in $SUBJECTS.
local ids = {}
for line in io.lines(os.getenv("SUBJECTS")) do ids[#ids + 1] = line end
local auth, agreement = os.getenv("AUTH"), os.getenv("AGREEMENT")
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000)
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/v1/data/subjects/" .. id .. "/datasets/household_registration?purpose=agreement:" ..
                    agreement .. "&elements=name,birth_date,household_address", {["Authorization"] = auth})
end
