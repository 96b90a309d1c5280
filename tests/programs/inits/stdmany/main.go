// Many standard-library packages: the order of the user's packages among them, and (with GODEBUG=inittrace=1)
// the order of all of them, is the linker's.
package main

import _ "archive/zip"
import _ "compress/gzip"
import _ "crypto/tls"
import _ "database/sql"
import _ "encoding/json"
import _ "encoding/xml"
import _ "expvar"
import _ "flag"
import _ "go/parser"
import _ "html/template"
import _ "image/png"
import _ "mime"
import _ "net/http"
import _ "os/exec"
import _ "regexp"
import _ "stdmany/zz"
import _ "stdmany/aa"

func mark(s string) int { println(s); return 0 }

var x = mark("var main x")

func init() { println("init main main.go:27") }

func main() {}
