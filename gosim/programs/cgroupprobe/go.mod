module cgroupprobe

go 1.27
