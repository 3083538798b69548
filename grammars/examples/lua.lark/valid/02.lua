print "hello"
t = {1, 2, 3; n = 3}
f{a = 1}
local a, b = 1
