package buf

var B []byte   // 33 bytes, no pointers
var P *[3]*int // three pointers, 24 bytes

func init() { println("init ia/buf buf.go:6"); B = make([]byte, 33); P = new([3]*int) }
