module lexorder

go 1.19
