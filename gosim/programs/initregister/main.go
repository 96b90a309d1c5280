// Registration by import: image.DecodeConfig knows only the formats whose
// packages registered themselves. image/png does it in its init function
// (image.RegisterFormat); main names the package only in a blank import.
package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	_ "image/png" // for its init: image.RegisterFormat("png", ...)
)

// header is the start of a PNG file: the signature, then the IHDR chunk of a
// 3x2 8-bit RGB image, with its CRC.
func header() []byte {
	ihdr := []byte("IHDR\x00\x00\x00\x03\x00\x00\x00\x02\x08\x02\x00\x00\x00")
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

func main() {
	config, format, err := image.DecodeConfig(bytes.NewReader(header()))
	if err != nil {
		println("error:", err.Error())
		return
	}
	println("format", format, "width", config.Width, "height", config.Height)
}
