module ia

go 1.21
