module cpubound

go 1.27
