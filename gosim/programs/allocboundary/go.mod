module allocboundary

go 1.27
