local 1x = 2
