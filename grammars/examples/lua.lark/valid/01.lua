-- A small module
local M = {}

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

function M.sum(...)
  local total <const> = 0
  local acc = 0
  for _, v in ipairs({...}) do acc = acc + v end
  return acc
end

function M:describe(name)
  local parts = { "fib", [2] = 10, name = name; "x" .. tostring(fib(10)) }
  for i = 1, #parts, 1 do
    if parts[i] == nil then goto continue
    elseif type(parts[i]) == "string" then print(parts[i]:upper())
    else print(i ^ 2 ^ -1, 7 // 2, 0x1F, 3.5e-2) end
    ::continue::
  end
  repeat local x = (x or 0) + 1 until x > 3
  while false do break end
  return [[long
string]], 'single\n', nil
end

--[[ a long
comment ]]
return M
