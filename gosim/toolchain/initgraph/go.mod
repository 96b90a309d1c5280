module gosim/initgraph

go 1.27
