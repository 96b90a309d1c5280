module bootspawn

go 1.27
