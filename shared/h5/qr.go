package h5

import (
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR draws text as a QR code in inline SVG (no image request, sharp at any size, a few
// KB gzipped): one path of dark modules on a white square with the quiet zone, about
// 300 px wide in whole pixels a module unless CSS scales it to the width of its box.
// Error correction is medium (15 %), which a phone's screen at a door scanner reads well.
func QR(text, label string) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	bits := q.Bitmap() // with the 4-module quiet zone
	n := len(bits)
	var b strings.Builder
	px := max(2, 296/n) // its own size: about 300 px, whole pixels a module, unless CSS scales it
	fmt.Fprintf(&b, `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" shape-rendering="crispEdges">`,
		n, n, n*px, n*px, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // built here from numbers and an escaped label
}
