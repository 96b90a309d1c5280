module lockedpingpong

go 1.27
