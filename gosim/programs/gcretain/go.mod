module gcretain

go 1.27
