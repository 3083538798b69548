if x then
  print(x)
