module multiassign

go 1.19
