module gcchurn

go 1.27

require gcmetrics v0.0.0

replace gcmetrics => ../gcmetrics
