module timeslice

go 1.27
