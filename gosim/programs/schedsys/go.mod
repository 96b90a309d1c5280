module schedsys

go 1.27

require schedutil v0.0.0

replace schedutil => ../schedutil
