module pre

go 1.19
